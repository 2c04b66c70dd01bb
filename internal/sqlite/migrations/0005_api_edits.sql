-- What was done through the API that an import of beta.gouv.fr content must
-- not undo: the records deleted (tombstones) and, per record, the fields
-- written (api_edits). kind is the record's table (committees, startups,
-- incubators, …); field is the name the API gives it (name, pitch,
-- incubator, …). Both are written in the transaction of the mutation.

CREATE TABLE tombstones (
  kind       TEXT NOT NULL,
  slug       TEXT NOT NULL,
  deleted_at TEXT NOT NULL,           -- RFC 3339 UTC, to the millisecond
  token_id   INTEGER REFERENCES tokens (id),
  token_name TEXT NOT NULL,
  mutation   TEXT NOT NULL,
  PRIMARY KEY (kind, slug)
) STRICT, WITHOUT ROWID;

CREATE TABLE api_edits (
  kind       TEXT NOT NULL,
  slug       TEXT NOT NULL,
  field      TEXT NOT NULL,
  edited_at  TEXT NOT NULL,           -- the latest write of the field
  token_id   INTEGER REFERENCES tokens (id),
  token_name TEXT NOT NULL,
  mutation   TEXT NOT NULL,
  PRIMARY KEY (kind, slug, field)
) STRICT, WITHOUT ROWID;

-- Earlier writes, from the audit log, which holds every one of them with
-- the object before and after as JSON (keys are the Go field names).
-- A record whose latest entry is a deletion gets a tombstone.
WITH k (object_type, kind) AS (VALUES ('Committee', 'committees'), ('Startup', 'startups'), ('Mission', 'missions'),
                                     ('Incubator', 'incubators'), ('Organisation', 'organisations'))
INSERT INTO tombstones (kind, slug, deleted_at, token_id, token_name, mutation)
SELECT k.kind, a.object_slug, a.at, a.token_id, a.token_name, a.mutation
FROM audit_log a JOIN k ON k.object_type = a.object_type
WHERE a.after IS NULL
  AND a.id = (SELECT max(b.id) FROM audit_log b WHERE b.object_type = a.object_type AND b.object_slug = a.object_slug);

-- A creation wrote every field the API sets (a startup's phases only when
-- it was given a first one); an update, the fields whose value changed.
-- Only the entries after the record's latest deletion count.
WITH f (object_type, kind, field, json_key) AS (VALUES
    ('Startup', 'startups', 'name', 'Name'), ('Startup', 'startups', 'pitch', 'Pitch'),
    ('Startup', 'startups', 'incubator', 'IncubatorSlug'), ('Startup', 'startups', 'sponsors', 'Sponsors'),
    ('Startup', 'startups', 'thematiques', 'Thematiques'), ('Startup', 'startups', 'usertypes', 'Usertypes'),
    ('Startup', 'startups', 'link', 'Link'), ('Startup', 'startups', 'repository', 'Repository'),
    ('Startup', 'startups', 'phases', 'Phases'),
    ('Incubator', 'incubators', 'title', 'Title'), ('Incubator', 'incubators', 'owner', 'OwnerSlug'),
    ('Incubator', 'incubators', 'shortDescription', 'ShortDescription'), ('Incubator', 'incubators', 'contact', 'Contact'),
    ('Incubator', 'incubators', 'website', 'Website'), ('Incubator', 'incubators', 'github', 'Github'),
    ('Incubator', 'incubators', 'address', 'Address'),
    ('Organisation', 'organisations', 'name', 'Name'), ('Organisation', 'organisations', 'acronym', 'Acronym'),
    ('Organisation', 'organisations', 'type', 'Type'), ('Organisation', 'organisations', 'ministerialDomain', 'DomaineMinisteriel'),
    ('Committee', 'committees', 'date', 'Date'), ('Committee', 'committees', 'decision', 'Decision'),
    ('Committee', 'committees', 'nextPhase', 'NextPhase'), ('Committee', 'committees', 'budgetEuros', 'BudgetEuros'),
    ('Committee', 'committees', 'nextCommitteeDue', 'NextCommitteeDue'), ('Committee', 'committees', 'comment', 'Comment'),
    ('Mission', 'missions', 'start', 'Start'), ('Mission', 'missions', 'end', 'End'),
    ('Mission', 'missions', 'status', 'Status'), ('Mission', 'missions', 'employer', 'Employer'),
    ('Mission', 'missions', 'startups', 'Startups'))
INSERT INTO api_edits (kind, slug, field, edited_at, token_id, token_name, mutation)
SELECT kind, slug, field, at, token_id, token_name, mutation FROM (
  SELECT f.kind, a.object_slug AS slug, f.field, a.at, a.token_id, a.token_name, a.mutation,
         row_number() OVER (PARTITION BY f.kind, a.object_slug, f.field ORDER BY a.id DESC) AS n
  FROM audit_log a JOIN f ON f.object_type = a.object_type
  WHERE a.after IS NOT NULL
    AND a.id > coalesce((SELECT max(g.id) FROM audit_log g
                         WHERE g.object_type = a.object_type AND g.object_slug = a.object_slug AND g.after IS NULL), 0)
    AND CASE WHEN a.before IS NULL
             THEN f.field <> 'phases' OR json_array_length(a.after, '$.Phases') > 0
             ELSE json_extract(a.before, '$.' || f.json_key) IS NOT json_extract(a.after, '$.' || f.json_key)
        END
) WHERE n = 1;

-- Committees and missions written through the API were kept whole by
-- imports: any left without a field above keeps every field.
INSERT OR IGNORE INTO api_edits (kind, slug, field, edited_at, token_name, mutation)
SELECT 'committees', c.slug, f.column1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '', 'migration'
FROM committees c, (VALUES ('date'), ('decision'), ('nextPhase'), ('budgetEuros'), ('nextCommitteeDue'), ('comment')) AS f
WHERE c.source = 'RECORDED' AND NOT EXISTS (SELECT 1 FROM api_edits e WHERE e.kind = 'committees' AND e.slug = c.slug);

INSERT OR IGNORE INTO api_edits (kind, slug, field, edited_at, token_name, mutation)
SELECT 'missions', m.slug, f.column1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '', 'migration'
FROM missions m, (VALUES ('start'), ('end'), ('status'), ('employer'), ('startups')) AS f
WHERE m.source = 'RECORDED' AND NOT EXISTS (SELECT 1 FROM api_edits e WHERE e.kind = 'missions' AND e.slug = m.slug);
