-- The replication generation of this database (serve --replicate-to,
-- portfolio promote): one row once the file ships to a replica store. The
-- store holds the database, this row with it, so the store's newest state
-- names the generation that writes to it; a file whose generation is older
-- than the store's is fenced (serve refuses it).
CREATE TABLE replication (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL CHECK (generation >= 1),
  store TEXT NOT NULL,              -- the store's URL, without credentials
  node TEXT NOT NULL,               -- the node that took the generation
  started_at TEXT NOT NULL,         -- when it took it: RFC 3339, UTC
  from_position INTEGER NOT NULL DEFAULT 0 CHECK (from_position >= 0)
                                    -- the store's position a promotion caught up to; 0 for a first generation
) STRICT;
