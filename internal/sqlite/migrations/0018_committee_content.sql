-- The investment committee's life and content (issue 19). A committee is
-- PLANNED (set for a day, not held yet), HELD (it took place: every
-- imported committee, and every one written before this migration) or
-- CANCELLED; only a held committee counts in the rules. Besides its
-- outcome, a committee written through the API holds the team's ask (the
-- team it needs, a budget envelope, over how many months), the hypotheses
-- to test and the success criteria of the next period (JSON arrays of
-- strings), the presentation's address, and its attendees (the table
-- below). The import writes none of these but the state (HELD).
ALTER TABLE committees ADD COLUMN state TEXT NOT NULL DEFAULT 'HELD' CHECK (state IN ('PLANNED', 'HELD', 'CANCELLED'));
ALTER TABLE committees ADD COLUMN ask_team_profile TEXT NOT NULL DEFAULT '';
ALTER TABLE committees ADD COLUMN ask_envelope_euros INTEGER;
ALTER TABLE committees ADD COLUMN ask_months INTEGER;
ALTER TABLE committees ADD COLUMN hypotheses TEXT NOT NULL DEFAULT '[]';
ALTER TABLE committees ADD COLUMN success_criteria TEXT NOT NULL DEFAULT '[]';
ALTER TABLE committees ADD COLUMN document_url TEXT NOT NULL DEFAULT '';

-- The agenda reads the planned committees of a window.
CREATE INDEX committees_planned ON committees (date, startup_id) WHERE state = 'PLANNED';

-- Who attended a committee (HELD) or is expected (PLANNED), in the order
-- given: a member, an organisation, or a person the records do not hold,
-- by name (exactly one), with the role they come as. A member or an
-- organisation named here is kept by a sync that would delete it (the API
-- refers to it), as the references of the API's other writes are.
CREATE TABLE committee_attendees (
  committee_id    INTEGER NOT NULL REFERENCES committees (id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  role            TEXT NOT NULL,
  member_id       INTEGER REFERENCES members (id),
  organisation_id INTEGER REFERENCES organisations (id),
  name            TEXT NOT NULL DEFAULT '',
  label           TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (committee_id, seq),
  CHECK ((member_id IS NOT NULL) + (organisation_id IS NOT NULL) + (name <> '') = 1)
) STRICT;
CREATE INDEX committee_attendees_member ON committee_attendees (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX committee_attendees_organisation ON committee_attendees (organisation_id) WHERE organisation_id IS NOT NULL;
