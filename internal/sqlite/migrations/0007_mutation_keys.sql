-- Idempotency keys of mutations (Relay's clientMutationId): a mutation sent
-- again by the same caller with the same key and the same input gets the
-- answer of the first one instead of writing again. Each row is written in
-- the transaction of the write it answers, and kept for 24 hours (every
-- write first deletes the older rows).

CREATE TABLE mutation_keys (
  token_id    INTEGER NOT NULL,        -- the caller's token; 0 for a caller without one (in-process)
  token_name  TEXT NOT NULL,
  key         TEXT NOT NULL,           -- the clientMutationId
  mutation    TEXT NOT NULL,           -- recordCommittee, updateStartup, …
  input_hash  TEXT NOT NULL,           -- SHA-256 (hex) of the mutation's input
  answer      TEXT NOT NULL,           -- the object written, as JSON
  created_at  TEXT NOT NULL,           -- RFC 3339 UTC, to the millisecond
  PRIMARY KEY (token_id, token_name, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX mutation_keys_created ON mutation_keys (created_at);
