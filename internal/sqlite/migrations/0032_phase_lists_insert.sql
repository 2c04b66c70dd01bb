-- The phase lists' insert trigger (migrations/0026) wrote the list with
-- INSERT OR REPLACE; a conflict clause on the outer statement overrides
-- the trigger's own, so a phase inserted with INSERT OR IGNORE (or OR
-- ABORT…) left the existing list as it was. No writer of the program
-- inserts phases so, but the lists must follow any write: the trigger
-- deletes the list, then writes it, as the others do, and the lists are
-- written again from the phases once, in case one was missed.
DROP TRIGGER phase_lists_insert;

CREATE TRIGGER phase_lists_insert AFTER INSERT ON phases BEGIN
  DELETE FROM phase_lists WHERE startup_id = NEW.startup_id;
  INSERT INTO phase_lists (startup_id, phases)
  SELECT NEW.startup_id, group_concat(seq || ',' || phase || ',' || coalesce(start, '') || ',' || coalesce("end", ''), ';')
  FROM (SELECT seq, phase, start, "end" FROM phases WHERE startup_id = NEW.startup_id ORDER BY seq);
END;

DELETE FROM phase_lists;
INSERT INTO phase_lists (startup_id, phases)
SELECT startup_id, group_concat(seq || ',' || phase || ',' || coalesce(start, '') || ',' || coalesce("end", ''), ';')
FROM (SELECT startup_id, seq, phase, start, "end" FROM phases ORDER BY startup_id, seq)
GROUP BY startup_id;
