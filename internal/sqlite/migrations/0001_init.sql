-- The portfolio schema: one table per kind of record, children keyed by
-- their parent and position, dates as TEXT 'YYYY-MM-DD' so that range
-- comparisons are plain SQL. Every join and filter column has an index.

CREATE TABLE phase_definitions (
  phase             TEXT PRIMARY KEY,
  label             TEXT NOT NULL,
  ord               INTEGER NOT NULL,
  short_description TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE organisations (
  id                  INTEGER PRIMARY KEY,
  slug                TEXT NOT NULL UNIQUE,
  name                TEXT NOT NULL,
  acronym             TEXT NOT NULL DEFAULT '',
  type                TEXT NOT NULL DEFAULT '',
  domaine_ministeriel TEXT NOT NULL DEFAULT '',
  version             INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX organisations_name ON organisations (name, slug);

CREATE TABLE incubators (
  id                INTEGER PRIMARY KEY,
  slug              TEXT NOT NULL UNIQUE,
  title             TEXT NOT NULL,
  owner_id          INTEGER REFERENCES organisations (id),
  short_description TEXT NOT NULL DEFAULT '',
  description       TEXT NOT NULL DEFAULT '',
  contact           TEXT NOT NULL DEFAULT '',
  website           TEXT NOT NULL DEFAULT '',
  github            TEXT NOT NULL DEFAULT '',
  address           TEXT NOT NULL DEFAULT '',
  version           INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX incubators_owner ON incubators (owner_id);

CREATE TABLE teams (
  id           INTEGER PRIMARY KEY,
  slug         TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL,
  mission      TEXT NOT NULL DEFAULT '',
  incubator_id INTEGER REFERENCES incubators (id),
  version      INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX teams_incubator ON teams (incubator_id);

CREATE TABLE startups (
  id                   INTEGER PRIMARY KEY,
  slug                 TEXT NOT NULL UNIQUE,
  name                 TEXT NOT NULL,
  pitch                TEXT NOT NULL DEFAULT '',
  description          TEXT NOT NULL DEFAULT '',
  search_text          TEXT NOT NULL DEFAULT '', -- folded name and pitch, for accent-insensitive search
  incubator_id         INTEGER REFERENCES incubators (id),
  link                 TEXT NOT NULL DEFAULT '',
  repository           TEXT NOT NULL DEFAULT '',
  contact              TEXT NOT NULL DEFAULT '',
  accessibility_status TEXT NOT NULL DEFAULT '',
  stats_url            TEXT NOT NULL DEFAULT '',
  impact_url           TEXT NOT NULL DEFAULT '',
  budget_url           TEXT NOT NULL DEFAULT '',
  dashlord_url         TEXT NOT NULL DEFAULT '',
  fast_promotion       INTEGER,
  fast_amount          INTEGER,
  version              INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX startups_incubator ON startups (incubator_id, name, slug);
CREATE INDEX startups_name ON startups (name, slug);

CREATE TABLE startup_sponsors (
  startup_id      INTEGER NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
  organisation_id INTEGER NOT NULL REFERENCES organisations (id),
  seq             INTEGER NOT NULL,
  PRIMARY KEY (startup_id, organisation_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX startup_sponsors_organisation ON startup_sponsors (organisation_id, startup_id);

CREATE TABLE startup_tags (
  startup_id INTEGER NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
  kind       TEXT NOT NULL CHECK (kind IN ('thematique', 'usertype', 'techno')),
  seq        INTEGER NOT NULL,
  label      TEXT NOT NULL,
  PRIMARY KEY (startup_id, kind, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX startup_tags_label ON startup_tags (kind, label, startup_id);

CREATE TABLE phases (
  startup_id INTEGER NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL, -- position in the record: a tie on start goes to the later one
  phase      TEXT NOT NULL,
  start      TEXT,
  "end"      TEXT,
  source     TEXT NOT NULL DEFAULT 'IMPORTED' CHECK (source IN ('IMPORTED', 'RECORDED')),
  PRIMARY KEY (startup_id, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX phases_start ON phases (start, startup_id);
CREATE INDEX phases_phase ON phases (phase, start);

CREATE TABLE events (
  startup_id INTEGER NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  name       TEXT NOT NULL,
  date       TEXT,
  comment    TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (startup_id, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX events_name_date ON events (name, date);

CREATE TABLE committees (
  id                 INTEGER PRIMARY KEY,
  slug               TEXT NOT NULL UNIQUE,
  startup_id         INTEGER NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
  date               TEXT NOT NULL,
  decision           TEXT NOT NULL,
  next_phase         TEXT,
  budget_euros       INTEGER,
  next_committee_due TEXT,
  comment            TEXT NOT NULL DEFAULT '',
  source             TEXT NOT NULL CHECK (source IN ('IMPORTED', 'RECORDED')),
  version            INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX committees_startup_date ON committees (startup_id, date);
CREATE INDEX committees_date ON committees (date, decision);

CREATE TABLE members (
  id          INTEGER PRIMARY KEY,
  slug        TEXT NOT NULL UNIQUE,
  fullname    TEXT NOT NULL,
  search_text TEXT NOT NULL DEFAULT '',
  role        TEXT NOT NULL DEFAULT '',
  domain      TEXT NOT NULL DEFAULT 'OTHER',
  github      TEXT NOT NULL DEFAULT '',
  link        TEXT NOT NULL DEFAULT '',
  member_type TEXT NOT NULL DEFAULT '',
  bio         TEXT NOT NULL DEFAULT '',
  version     INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX members_domain ON members (domain);
CREATE INDEX members_fullname ON members (fullname, slug);

CREATE TABLE member_competences (
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  label     TEXT NOT NULL,
  PRIMARY KEY (member_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE member_teams (
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  team_id   INTEGER NOT NULL REFERENCES teams (id),
  PRIMARY KEY (member_id, team_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX member_teams_team ON member_teams (team_id, member_id);

-- Older records' member-level startup lists: no dates, so never in a team at a date.
CREATE TABLE member_startups (
  member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  startup_id INTEGER NOT NULL REFERENCES startups (id),
  kind       TEXT NOT NULL CHECK (kind IN ('current', 'previous')),
  PRIMARY KEY (member_id, startup_id, kind)
) STRICT, WITHOUT ROWID;
CREATE INDEX member_startups_startup ON member_startups (startup_id, member_id);

CREATE TABLE missions (
  id        INTEGER PRIMARY KEY,
  slug      TEXT NOT NULL UNIQUE,
  member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  start     TEXT NOT NULL,
  "end"     TEXT,
  status    TEXT,
  employer  TEXT NOT NULL DEFAULT '',
  source    TEXT NOT NULL DEFAULT 'IMPORTED' CHECK (source IN ('IMPORTED', 'RECORDED')),
  version   INTEGER NOT NULL DEFAULT 1,
  UNIQUE (member_id, seq)
) STRICT;
CREATE INDEX missions_start ON missions (start, "end");

CREATE TABLE mission_startups (
  mission_id INTEGER NOT NULL REFERENCES missions (id) ON DELETE CASCADE,
  startup_id INTEGER NOT NULL REFERENCES startups (id),
  PRIMARY KEY (mission_id, startup_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX mission_startups_startup ON mission_startups (startup_id, mission_id);
