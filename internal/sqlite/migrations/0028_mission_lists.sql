-- Each startup's missions with their members as one text, for the readers
-- of a startup's missions (MissionsByStartup) that ask for no more than
-- the columns it holds: a lookup of one row per startup rather than a
-- walk of the startup's links, each mission and each member (on the real
-- network, the 115 missions of its largest team in 0.06 ms rather than
-- 0.24 ms). The missions, their links and the members stay the record;
-- these triggers keep the lists equal to them in the same transaction as
-- every write (import, sync, mutations, a cascade). Columns the lists do
-- not hold do not fire them.
--
-- A mission is eleven values, each written "length:value" (length in
-- bytes; a NULL is written as an empty value): the mission's id, slug,
-- start, end, status and employer, then its member's id, slug, fullname,
-- role and domain. The list is its missions one after the other, by id
-- (the order the statements feed group_concat; the readers sort them
-- again, without relying on it).
--
-- The SQL is that of SQLite 3.40 (no concat(), no octet_length()), so that
-- older sqlite3 shells still read the schema.
CREATE TABLE mission_lists (
  startup_id   INTEGER PRIMARY KEY, -- no reference: the links' own cascade empties it
  missions     TEXT NOT NULL,
  last_mission INTEGER NOT NULL     -- the list's highest mission id
) STRICT;

-- One mission of a startup as the lists write it.
CREATE VIEW mission_list_entries AS
SELECT ms.startup_id AS startup_id, ms.mission_id AS mission_id,
  length(CAST(mi.id AS BLOB)) || ':' || mi.id ||
  length(CAST(mi.slug AS BLOB)) || ':' || mi.slug ||
  length(CAST(mi.start AS BLOB)) || ':' || mi.start ||
  coalesce(length(CAST(mi."end" AS BLOB)), '') || ':' || coalesce(mi."end", '') ||
  coalesce(length(CAST(mi.status AS BLOB)), '') || ':' || coalesce(mi.status, '') ||
  length(CAST(mi.employer AS BLOB)) || ':' || mi.employer ||
  length(CAST(mb.id AS BLOB)) || ':' || mb.id ||
  length(CAST(mb.slug AS BLOB)) || ':' || mb.slug ||
  length(CAST(mb.fullname AS BLOB)) || ':' || mb.fullname ||
  length(CAST(mb.role AS BLOB)) || ':' || mb.role ||
  length(CAST(mb.domain AS BLOB)) || ':' || mb.domain AS entry
FROM mission_startups ms JOIN missions mi ON mi.id = ms.mission_id JOIN members mb ON mb.id = mi.member_id;

INSERT INTO mission_lists (startup_id, missions, last_mission)
SELECT startup_id, group_concat(entry, ''), max(mission_id)
FROM (SELECT startup_id, mission_id, entry FROM mission_list_entries ORDER BY startup_id, mission_id) GROUP BY startup_id;

-- A link added to a mission above the list's last (a load: missions are
-- numbered as they are written, their links right after them): its entry
-- is added at the end.
CREATE TRIGGER mission_lists_link_append AFTER INSERT ON mission_startups
WHEN NEW.mission_id > coalesce((SELECT last_mission FROM mission_lists WHERE startup_id = NEW.startup_id), 0) BEGIN
  UPDATE mission_lists SET last_mission = NEW.mission_id, missions = missions || coalesce(
    (SELECT entry FROM mission_list_entries WHERE startup_id = NEW.startup_id AND mission_id = NEW.mission_id), '')
  WHERE startup_id = NEW.startup_id;
  INSERT INTO mission_lists (startup_id, missions, last_mission)
  SELECT startup_id, entry, mission_id FROM mission_list_entries
  WHERE startup_id = NEW.startup_id AND mission_id = NEW.mission_id
    AND NOT EXISTS (SELECT 1 FROM mission_lists WHERE startup_id = NEW.startup_id);
END;

-- Any other link added, removed or moved: the startups' lists are written
-- again. (No INSERT OR REPLACE in a trigger: the outer statement's conflict
-- clause overrides it, and the links are written with INSERT OR IGNORE.)
CREATE TRIGGER mission_lists_link_insert AFTER INSERT ON mission_startups
WHEN NEW.mission_id <= coalesce((SELECT last_mission FROM mission_lists WHERE startup_id = NEW.startup_id), 0) BEGIN
  DELETE FROM mission_lists WHERE startup_id = NEW.startup_id;
  INSERT INTO mission_lists (startup_id, missions, last_mission)
  SELECT startup_id, group_concat(entry, ''), max(mission_id)
  FROM (SELECT startup_id, mission_id, entry FROM mission_list_entries WHERE startup_id = NEW.startup_id ORDER BY startup_id, mission_id) GROUP BY startup_id;
END;

CREATE TRIGGER mission_lists_link_delete AFTER DELETE ON mission_startups BEGIN
  DELETE FROM mission_lists WHERE startup_id = OLD.startup_id;
  INSERT INTO mission_lists (startup_id, missions, last_mission)
  SELECT startup_id, group_concat(entry, ''), max(mission_id)
  FROM (SELECT startup_id, mission_id, entry FROM mission_list_entries WHERE startup_id = OLD.startup_id ORDER BY startup_id, mission_id) GROUP BY startup_id;
END;

CREATE TRIGGER mission_lists_link_update AFTER UPDATE ON mission_startups BEGIN
  DELETE FROM mission_lists WHERE startup_id IN (OLD.startup_id, NEW.startup_id);
  INSERT INTO mission_lists (startup_id, missions, last_mission)
  SELECT startup_id, group_concat(entry, ''), max(mission_id)
  FROM (SELECT startup_id, mission_id, entry FROM mission_list_entries WHERE startup_id IN (OLD.startup_id, NEW.startup_id) ORDER BY startup_id, mission_id) GROUP BY startup_id;
END;

-- A mission changed in a column the lists hold, or deleted without its
-- links' cascade (foreign keys off): the lists of its startups.
CREATE TRIGGER mission_lists_mission_update AFTER UPDATE OF slug, member_id, start, "end", status, employer ON missions
WHEN OLD.slug IS NOT NEW.slug OR OLD.member_id IS NOT NEW.member_id OR OLD.start IS NOT NEW.start
  OR OLD."end" IS NOT NEW."end" OR OLD.status IS NOT NEW.status OR OLD.employer IS NOT NEW.employer BEGIN
  DELETE FROM mission_lists WHERE startup_id IN (SELECT startup_id FROM mission_startups WHERE mission_id = NEW.id);
  INSERT INTO mission_lists (startup_id, missions, last_mission)
  SELECT startup_id, group_concat(entry, ''), max(mission_id)
  FROM (SELECT startup_id, mission_id, entry FROM mission_list_entries WHERE startup_id IN (SELECT startup_id FROM mission_startups WHERE mission_id = NEW.id) ORDER BY startup_id, mission_id) GROUP BY startup_id;
END;

CREATE TRIGGER mission_lists_mission_delete AFTER DELETE ON missions BEGIN
  DELETE FROM mission_lists WHERE startup_id IN (SELECT startup_id FROM mission_startups WHERE mission_id = OLD.id);
  INSERT INTO mission_lists (startup_id, missions, last_mission)
  SELECT startup_id, group_concat(entry, ''), max(mission_id)
  FROM (SELECT startup_id, mission_id, entry FROM mission_list_entries WHERE startup_id IN (SELECT startup_id FROM mission_startups WHERE mission_id = OLD.id) ORDER BY startup_id, mission_id) GROUP BY startup_id;
END;

-- A member changed in a column the lists hold: the lists of the startups
-- of its missions.
CREATE TRIGGER mission_lists_member_update AFTER UPDATE OF slug, fullname, role, domain ON members
WHEN OLD.slug IS NOT NEW.slug OR OLD.fullname IS NOT NEW.fullname OR OLD.role IS NOT NEW.role OR OLD.domain IS NOT NEW.domain BEGIN
  DELETE FROM mission_lists WHERE startup_id IN (
    SELECT ms.startup_id FROM missions mi JOIN mission_startups ms ON ms.mission_id = mi.id WHERE mi.member_id = NEW.id);
  INSERT INTO mission_lists (startup_id, missions, last_mission)
  SELECT startup_id, group_concat(entry, ''), max(mission_id)
  FROM (SELECT startup_id, mission_id, entry FROM mission_list_entries WHERE startup_id IN (SELECT ms.startup_id FROM missions mi JOIN mission_startups ms ON ms.mission_id = mi.id WHERE mi.member_id = NEW.id) ORDER BY startup_id, mission_id) GROUP BY startup_id;
END;
