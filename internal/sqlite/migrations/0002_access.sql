-- API tokens (only a hash of each secret), the incubators a manager may
-- write, and the audit log of every write.

CREATE TABLE tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  role         TEXT NOT NULL CHECK (role IN ('VIEWER', 'MANAGER', 'ADMIN')),
  secret_hash  BLOB NOT NULL, -- SHA-256 of the secret
  created_at   TEXT NOT NULL,
  revoked_at   TEXT,
  last_used_at TEXT
) STRICT;

CREATE TABLE token_incubators (
  token_id     INTEGER NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
  incubator_id INTEGER NOT NULL REFERENCES incubators (id),
  PRIMARY KEY (token_id, incubator_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX token_incubators_incubator ON token_incubators (incubator_id);

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,           -- RFC 3339 UTC, to the millisecond
  token_id    INTEGER REFERENCES tokens (id),
  token_name  TEXT NOT NULL,
  role        TEXT NOT NULL,
  mutation    TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_slug TEXT NOT NULL,
  before      TEXT,                    -- JSON, null for a creation
  after       TEXT                     -- JSON, null for a deletion
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_slug);
CREATE INDEX audit_log_token ON audit_log (token_name, at);
