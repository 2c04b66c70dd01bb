-- Each startup's phases as one short text, "seq,phase,start,end;…" in the
-- record's order (an empty start or end: not on record), for the readers
-- of many startups' phases at once (PhasesByStartup): a lookup of one
-- narrow row per startup rather than a walk of every phase row and its
-- columns (on the real network, the 662 startups' phases in 0.75 ms
-- rather than 2 ms). The phases table stays the record; these triggers
-- keep the list equal to it in the same transaction as every write,
-- whatever writes it (import, sync, mutations, a cascade). next_start and
-- the other columns the list does not hold do not fire them.
-- The SQL is that of SQLite 3.40 (no concat(), no ORDER BY inside an
-- aggregate), so that older sqlite3 shells still read the schema; the
-- readers sort by seq and do not rely on group_concat's order.
CREATE TABLE phase_lists (
  startup_id INTEGER PRIMARY KEY, -- no reference: the phases' own cascade empties it
  phases     TEXT NOT NULL
) STRICT;

INSERT INTO phase_lists (startup_id, phases)
SELECT startup_id, group_concat(seq || ',' || phase || ',' || coalesce(start, '') || ',' || coalesce("end", ''), ';')
FROM (SELECT startup_id, seq, phase, start, "end" FROM phases ORDER BY startup_id, seq)
GROUP BY startup_id;

CREATE TRIGGER phase_lists_insert AFTER INSERT ON phases BEGIN
  INSERT OR REPLACE INTO phase_lists (startup_id, phases)
  SELECT NEW.startup_id, group_concat(seq || ',' || phase || ',' || coalesce(start, '') || ',' || coalesce("end", ''), ';')
  FROM (SELECT seq, phase, start, "end" FROM phases WHERE startup_id = NEW.startup_id ORDER BY seq);
END;

CREATE TRIGGER phase_lists_delete AFTER DELETE ON phases BEGIN
  DELETE FROM phase_lists WHERE startup_id = OLD.startup_id;
  INSERT INTO phase_lists (startup_id, phases)
  SELECT OLD.startup_id, group_concat(seq || ',' || phase || ',' || coalesce(start, '') || ',' || coalesce("end", ''), ';')
  FROM (SELECT seq, phase, start, "end" FROM phases WHERE startup_id = OLD.startup_id ORDER BY seq)
  HAVING count(*) > 0;
END;

CREATE TRIGGER phase_lists_update AFTER UPDATE OF startup_id, seq, phase, start, "end" ON phases BEGIN
  DELETE FROM phase_lists WHERE startup_id IN (OLD.startup_id, NEW.startup_id);
  INSERT INTO phase_lists (startup_id, phases)
  SELECT p.startup_id, group_concat(p.seq || ',' || p.phase || ',' || coalesce(p.start, '') || ',' || coalesce(p."end", ''), ';')
  FROM (SELECT startup_id, seq, phase, start, "end" FROM phases WHERE startup_id IN (OLD.startup_id, NEW.startup_id) ORDER BY startup_id, seq) p
  GROUP BY p.startup_id;
END;
