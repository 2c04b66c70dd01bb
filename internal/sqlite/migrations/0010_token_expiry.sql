-- A token may expire: from expires_at on (RFC 3339, UTC) the token store
-- refuses it, saying so. NULL: the token never expires (every token made
-- before this migration).
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
