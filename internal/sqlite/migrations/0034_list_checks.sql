-- Each startup's derived lists as the triggers of migrations/0026, 0028
-- and 0030 (and 0032) write them, read whole from the tables they are
-- derived from: `portfolio check` compares the stored lists with these
-- (DB.Check), and `portfolio check --repair-lists` writes them again from
-- these (DB.RepairLists). The triggers keep their own statements, each
-- narrowed to the startups its write touches before it aggregates.
CREATE VIEW phase_lists_expected AS
SELECT startup_id, group_concat(seq || ',' || phase || ',' || coalesce(start, '') || ',' || coalesce("end", ''), ';') AS phases
FROM (SELECT startup_id, seq, phase, start, "end" FROM phases ORDER BY startup_id, seq)
GROUP BY startup_id;

CREATE VIEW mission_lists_expected AS
SELECT startup_id, group_concat(entry, '') AS missions, max(mission_id) AS last_mission
FROM (SELECT startup_id, mission_id, entry FROM mission_list_entries ORDER BY startup_id, mission_id)
GROUP BY startup_id;

CREATE VIEW sponsor_lists_expected AS
SELECT startup_id, group_concat(entry, '') AS sponsors
FROM (SELECT startup_id, entry FROM sponsor_list_entries ORDER BY startup_id, seq, organisation_id)
GROUP BY startup_id;
