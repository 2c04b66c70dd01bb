-- The questions of a portfolio review: quality markers and a co-incubation
-- on startups, old slugs, the members who follow a startup, phase
-- comments, and the indexes of the network's event feed and of FAST
-- grants.

-- Quality markers as the record gives them: NULL when it says nothing.
-- accessibility is the status read from accessibility_status by the
-- domain's rule (portfolio.AccessibilityOf), NULL when unknown.
ALTER TABLE startups ADD COLUMN security_homologation INTEGER CHECK (security_homologation IN (0, 1));
ALTER TABLE startups ADD COLUMN risk_analysis INTEGER CHECK (risk_analysis IN (0, 1));
ALTER TABLE startups ADD COLUMN risk_analysis_url TEXT NOT NULL DEFAULT '';
ALTER TABLE startups ADD COLUMN stats INTEGER CHECK (stats IN (0, 1));
ALTER TABLE startups ADD COLUMN accessibility TEXT
  CHECK (accessibility IN ('NOT_COMPLIANT', 'PARTIALLY_COMPLIANT', 'FULLY_COMPLIANT'));

UPDATE startups SET accessibility = CASE lower(trim(accessibility_status))
  WHEN 'non conforme' THEN 'NOT_COMPLIANT'
  WHEN 'partiellement conforme' THEN 'PARTIALLY_COMPLIANT'
  WHEN 'totalement conforme' THEN 'FULLY_COMPLIANT' END;

CREATE INDEX startups_fast ON startups (fast_promotion, fast_amount) WHERE fast_amount IS NOT NULL;

ALTER TABLE phases ADD COLUMN comment TEXT NOT NULL DEFAULT '';

-- The incubators of a co-incubation, besides the main one (incubator_id).
CREATE TABLE startup_incubators (
  startup_id   INTEGER NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
  incubator_id INTEGER NOT NULL REFERENCES incubators (id),
  seq          INTEGER NOT NULL,
  PRIMARY KEY (startup_id, incubator_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX startup_incubators_incubator ON startup_incubators (incubator_id, startup_id);

-- The slugs a startup had before (redirect_from): startup(slug:) finds it
-- by them. A slug that is some startup's own is never looked up here.
CREATE TABLE startup_redirects (
  slug       TEXT NOT NULL,
  startup_id INTEGER NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  PRIMARY KEY (slug, startup_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX startup_redirects_startup ON startup_redirects (startup_id, seq);

-- The members who follow a startup (contact_dinum, contact_incubator), by
-- username: members are written after startups, and a member created
-- later through the API with that username follows it too.
CREATE TABLE startup_contacts (
  startup_id  INTEGER NOT NULL REFERENCES startups (id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('dinum', 'incubator')),
  seq         INTEGER NOT NULL,
  member_slug TEXT NOT NULL,
  PRIMARY KEY (startup_id, kind, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX startup_contacts_member ON startup_contacts (member_slug, startup_id);

-- The feed of events, newest first, and events by startup.
CREATE INDEX events_date ON events (date, startup_id, seq);
