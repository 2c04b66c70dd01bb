-- Following the source (portfolio sync, import --prune) and the records'
-- date (Query.dataset). A sync is an import from a git repository: its
-- origin row also names the branch, the commit and the commit's date.
-- records_as_of is the day the records describe, and records_basis what
-- gave it: 'commit' (the synced commit's date), 'records' (the newest date
-- found in a folder's records), 'stated' (import --records-date), 'seed'
-- (the synthetic network's fixed today), '' (a row written before this
-- migration: the day of the import or seed is used, said as such).
-- method: 'import', 'import --prune', 'sync' (the changed records only),
-- 'sync (full)' (the whole tree against the database), 'seed'; '' before.
ALTER TABLE origin ADD COLUMN ref TEXT NOT NULL DEFAULT '';
ALTER TABLE origin ADD COLUMN commit_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE origin ADD COLUMN committed_at TEXT NOT NULL DEFAULT '';   -- RFC 3339, the committer's offset
ALTER TABLE origin ADD COLUMN records_as_of TEXT NOT NULL DEFAULT '';  -- YYYY-MM-DD
ALTER TABLE origin ADD COLUMN records_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE origin ADD COLUMN method TEXT NOT NULL DEFAULT '';
-- program: which build of the program wrote a sync (its reader decides
-- what the records hold): a sync by another build compares the whole tree.
ALTER TABLE origin ADD COLUMN program TEXT NOT NULL DEFAULT '';

-- The repository a database follows, and how its last sync went: one row,
-- written by every sync, the failed ones too (outside their rolled-back
-- transaction), so that the API and /readyz say when the records stopped
-- following the source.
CREATE TABLE sync_state (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  repo         TEXT NOT NULL,              -- the repository, without credentials
  ref          TEXT NOT NULL,              -- the branch
  attempted_at TEXT NOT NULL,              -- the last sync tried, RFC 3339 UTC
  checked_at   TEXT NOT NULL DEFAULT '',   -- the last sync that succeeded, changed or not
  error        TEXT NOT NULL DEFAULT '',   -- why the last sync failed; '' when it succeeded
  failed_at    TEXT NOT NULL DEFAULT ''    -- when it failed
) STRICT;
