-- Assigns an error group to a person ($assignee null = unassigned), recording who did it and when; returns the id.
-- @param group_id bigint = 1
-- @param assignee varchar = 'anna.karlsson@nordicoutdoor.se'
-- @param actor varchar = 'ops@example.com'
-- @param now timestamptz = '2026-11-26 12:00:00+00'
update error_group_states
set assignee = $assignee, assigned_by = $actor, assigned_at = $now
where id = $group_id
returning id;
