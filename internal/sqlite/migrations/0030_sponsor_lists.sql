-- Each startup's sponsors as one text, for the readers of many startups'
-- sponsors at once (SponsorsByStartup): a lookup of one row per startup
-- rather than two statements, one walking the startups' links and one
-- finding each organisation they name (for the first 100 startups of the
-- real network, 0.2 ms of SQLite stepping). The links and the
-- organisations stay the record; these triggers keep the lists equal to
-- them in the same transaction as every write (import, sync, mutations, a
-- cascade). Columns the lists do not hold do not fire them.
--
-- A sponsor is eight values, each written "length:value" (length in
-- bytes): the organisation's id, its position in the startup's record,
-- its slug, name, acronym, type, ministerial domain and version. The list
-- is the sponsors in the record's order (the readers sort them again,
-- without relying on it).
--
-- The SQL is that of SQLite 3.40 (no concat(), no octet_length()), so that
-- older sqlite3 shells still read the schema. No INSERT OR REPLACE in the
-- triggers: the outer statement's conflict clause would override it, and
-- the links are written with INSERT OR IGNORE.
CREATE TABLE sponsor_lists (
  startup_id INTEGER PRIMARY KEY, -- no reference: the links' own cascade empties it
  sponsors   TEXT NOT NULL
) STRICT;

-- One sponsor of a startup as the lists write it.
CREATE VIEW sponsor_list_entries AS
SELECT ss.startup_id AS startup_id, ss.seq AS seq, ss.organisation_id AS organisation_id,
  length(CAST(o.id AS BLOB)) || ':' || o.id ||
  length(CAST(ss.seq AS BLOB)) || ':' || ss.seq ||
  length(CAST(o.slug AS BLOB)) || ':' || o.slug ||
  length(CAST(o.name AS BLOB)) || ':' || o.name ||
  length(CAST(o.acronym AS BLOB)) || ':' || o.acronym ||
  length(CAST(o.type AS BLOB)) || ':' || o.type ||
  length(CAST(o.domaine_ministeriel AS BLOB)) || ':' || o.domaine_ministeriel ||
  length(CAST(o.version AS BLOB)) || ':' || o.version AS entry
FROM startup_sponsors ss JOIN organisations o ON o.id = ss.organisation_id;

INSERT INTO sponsor_lists (startup_id, sponsors)
SELECT startup_id, group_concat(entry, '')
FROM (SELECT startup_id, entry FROM sponsor_list_entries ORDER BY startup_id, seq, organisation_id) GROUP BY startup_id;

-- A link added, removed or moved: the startups' lists are written again.
CREATE TRIGGER sponsor_lists_link_insert AFTER INSERT ON startup_sponsors BEGIN
  DELETE FROM sponsor_lists WHERE startup_id = NEW.startup_id;
  INSERT INTO sponsor_lists (startup_id, sponsors)
  SELECT startup_id, group_concat(entry, '')
  FROM (SELECT startup_id, entry FROM sponsor_list_entries WHERE startup_id = NEW.startup_id ORDER BY startup_id, seq, organisation_id) GROUP BY startup_id;
END;

CREATE TRIGGER sponsor_lists_link_delete AFTER DELETE ON startup_sponsors BEGIN
  DELETE FROM sponsor_lists WHERE startup_id = OLD.startup_id;
  INSERT INTO sponsor_lists (startup_id, sponsors)
  SELECT startup_id, group_concat(entry, '')
  FROM (SELECT startup_id, entry FROM sponsor_list_entries WHERE startup_id = OLD.startup_id ORDER BY startup_id, seq, organisation_id) GROUP BY startup_id;
END;

CREATE TRIGGER sponsor_lists_link_update AFTER UPDATE ON startup_sponsors BEGIN
  DELETE FROM sponsor_lists WHERE startup_id IN (OLD.startup_id, NEW.startup_id);
  INSERT INTO sponsor_lists (startup_id, sponsors)
  SELECT startup_id, group_concat(entry, '')
  FROM (SELECT startup_id, entry FROM sponsor_list_entries WHERE startup_id IN (OLD.startup_id, NEW.startup_id) ORDER BY startup_id, seq, organisation_id) GROUP BY startup_id;
END;

-- An organisation changed in a column the lists hold, or deleted without
-- its links refusing it (foreign keys off): the lists of the startups it
-- sponsors.
CREATE TRIGGER sponsor_lists_organisation_update AFTER UPDATE OF slug, name, acronym, type, domaine_ministeriel, version ON organisations
WHEN OLD.slug IS NOT NEW.slug OR OLD.name IS NOT NEW.name OR OLD.acronym IS NOT NEW.acronym OR OLD.type IS NOT NEW.type
  OR OLD.domaine_ministeriel IS NOT NEW.domaine_ministeriel OR OLD.version IS NOT NEW.version BEGIN
  DELETE FROM sponsor_lists WHERE startup_id IN (SELECT startup_id FROM startup_sponsors WHERE organisation_id = NEW.id);
  INSERT INTO sponsor_lists (startup_id, sponsors)
  SELECT startup_id, group_concat(entry, '')
  FROM (SELECT startup_id, entry FROM sponsor_list_entries WHERE startup_id IN (SELECT startup_id FROM startup_sponsors WHERE organisation_id = NEW.id)
    ORDER BY startup_id, seq, organisation_id) GROUP BY startup_id;
END;

CREATE TRIGGER sponsor_lists_organisation_delete AFTER DELETE ON organisations BEGIN
  DELETE FROM sponsor_lists WHERE startup_id IN (SELECT startup_id FROM startup_sponsors WHERE organisation_id = OLD.id);
  INSERT INTO sponsor_lists (startup_id, sponsors)
  SELECT startup_id, group_concat(entry, '')
  FROM (SELECT startup_id, entry FROM sponsor_list_entries WHERE startup_id IN (SELECT startup_id FROM startup_sponsors WHERE organisation_id = OLD.id)
    ORDER BY startup_id, seq, organisation_id) GROUP BY startup_id;
END;
