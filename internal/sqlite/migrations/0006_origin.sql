-- Where the records of the database came from, so that a synthetic network
-- (portfolio seed) and real records (portfolio import) never mix: one row
-- per seed or import, oldest first. A database made before this table
-- existed gets one row classified from its contents (legacy = 1) the first
-- time it is opened for writing (see origin.go).
CREATE TABLE origin (
  id     INTEGER PRIMARY KEY,
  kind   TEXT NOT NULL CHECK (kind IN ('seeded', 'imported', 'mixed')),
  at     TEXT NOT NULL,                   -- when, UTC, RFC 3339
  source TEXT NOT NULL DEFAULT '',        -- imported: the snapshot's folder
  scale  INTEGER,                         -- seeded: the scale
  counts TEXT NOT NULL DEFAULT '{}',      -- records written, by kind (JSON object)
  legacy INTEGER NOT NULL DEFAULT 0 CHECK (legacy IN (0, 1))
) STRICT;
