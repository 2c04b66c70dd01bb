-- Names sort in French order (issue 18): « Édouard » among the E, not
-- after « Zoé » as byte order has it. Each named record carries the sort
-- key of its name (internal/frorder.Key: the French collation of the
-- Unicode Collation Algorithm), written by the program with the name;
-- keys compare byte by byte, so the orderings by name use an index of
-- them and page with LIMIT and OFFSET as before, and the file stays
-- readable by any SQLite (no custom collation in the schema).
ALTER TABLE startups ADD COLUMN name_key BLOB NOT NULL DEFAULT x'';
ALTER TABLE members ADD COLUMN name_key BLOB NOT NULL DEFAULT x'';
ALTER TABLE organisations ADD COLUMN name_key BLOB NOT NULL DEFAULT x'';
ALTER TABLE incubators ADD COLUMN name_key BLOB NOT NULL DEFAULT x'';

DROP INDEX startups_name;
CREATE INDEX startups_name ON startups (name_key, slug);
DROP INDEX startups_incubator;
CREATE INDEX startups_incubator ON startups (incubator_id, name_key, slug);
DROP INDEX members_fullname;
CREATE INDEX members_fullname ON members (name_key, slug);
DROP INDEX organisations_name;
CREATE INDEX organisations_name ON organisations (name_key, slug);
CREATE INDEX incubators_name ON incubators (name_key, slug);

-- The ordering the keys follow (frorder.Version). Opening the database
-- makes the keys this table does not vouch for: every key when the
-- version differs (a new program with new collation tables), else those
-- still empty (rows written before this migration, or by another tool).
CREATE TABLE name_keys (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version TEXT NOT NULL
) STRICT;
