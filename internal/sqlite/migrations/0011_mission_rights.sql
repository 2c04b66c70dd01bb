-- Whether a mission gives the managers of its startups' incubators the
-- right to change its member's record (updateMember). A manager's own
-- writes must never widen its own scope: a mission a manager attached to a
-- person it had no rights over does not confer any (issue 20). A mission
-- confers when whoever last wrote its startups could vouch for the link:
--   - the records (an import): every imported mission, hence the default;
--   - an admin (addMission, or updateMission changing its startups);
--   - createMember: the first mission of a person created through the API
--     (the person belongs to the incubators of that mission);
--   - a manager who already had rights over the person when it wrote them.
-- Imports never change the flag of a row that exists (it is not among the
-- columns they write), so a re-import keeps it.
ALTER TABLE missions ADD COLUMN confers_rights INTEGER NOT NULL DEFAULT 1 CHECK (confers_rights IN (0, 1));

-- Missions written through the API before this migration. A mission
-- created through the API (its position is 1000 or more, see
-- recordedSeqBase, or the audit log holds its creation) confers only when
-- the audit log shows it vouched for: created by createMember or by an
-- admin, or its startups later changed by an admin. A manager's addMission
-- does not, even when that manager had rights over the person at the time
-- (the safe choice: which missions conferred then is not recorded; the
-- manager keeps whatever rights its other missions give). A mission from
-- the records that was edited later (RECORDED, position below 1000, no
-- creation in the log) keeps conferring: a manager could only edit it
-- within its startups, on which the mission itself gave it rights.
UPDATE missions SET confers_rights = 0
WHERE source = 'RECORDED'
  AND (seq >= 1000 OR EXISTS (SELECT 1 FROM audit_log c
                              WHERE c.object_type = 'Mission' AND c.object_slug = missions.slug
                                AND c.before IS NULL AND c.after IS NOT NULL))
  AND NOT EXISTS (SELECT 1 FROM audit_log a
                  WHERE a.object_type = 'Mission' AND a.object_slug = missions.slug
                    AND a.after IS NOT NULL AND a.mutation <> 'import'
                    AND ((a.before IS NULL AND (a.mutation = 'createMember' OR a.role = 'ADMIN'))
                         OR (a.before IS NOT NULL AND a.role = 'ADMIN'
                             AND json_extract(a.before, '$.Startups') IS NOT json_extract(a.after, '$.Startups'))));
