-- The change feed (subscription changes, the response cache's
-- invalidation): one row per record a write created, updated or deleted,
-- written in the transaction of the write. The rows travel with the
-- database to replicas, which read past the position they saw last and
-- announce exactly what the primary wrote. seq orders the feed; the newest
-- 10,000 rows are kept (each write deletes the older ones), so a reader
-- that falls further behind knows it (the gap between its position and the
-- oldest row kept).
CREATE TABLE changes (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  at        TEXT NOT NULL,          -- the write's time: RFC 3339 UTC, to the millisecond
  kind      TEXT NOT NULL,          -- the record's type as the API names it (Startup, Committee, …); Dataset for a load
  slug      TEXT NOT NULL,          -- the record's slug; for a Dataset row, how the records were loaded (import, sync)
  operation TEXT NOT NULL CHECK (operation IN ('CREATED', 'UPDATED', 'DELETED'))
) STRICT;
