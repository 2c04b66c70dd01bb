-- The phase's name as the record wrote it when it is not the phase's slug
-- (an older archive's 'alumni' mapped onto ABANDONED, the name of an
-- UNKNOWN phase); '' otherwise, as for every phase written before.
ALTER TABLE phases ADD COLUMN source_name TEXT NOT NULL DEFAULT '';
