-- Each phase knows when the next one starts (the earliest later start, or a
-- phase starting the same day and listed later), so that "the phase at D"
-- is a range condition: start <= D < next_start. Kept by every write of
-- phases (see refreshNextStarts).

ALTER TABLE phases ADD COLUMN next_start TEXT;

UPDATE phases SET next_start = (
  SELECT min(q.start) FROM phases q
  WHERE q.startup_id = phases.startup_id AND q.start IS NOT NULL
    AND (q.start > phases.start OR (q.start = phases.start AND q.seq > phases.seq))
) WHERE start IS NOT NULL;

CREATE INDEX phases_at ON phases (start, next_start, phase, startup_id);
CREATE INDEX missions_member_start ON missions (member_id, start);
