-- The phases going on at a date D are those with start <= D and no next
-- start or one after D: with this index both halves are range seeks, and
-- a date near today touches only the current phases.
CREATE INDEX phases_next ON phases (next_start, start, phase, startup_id);
