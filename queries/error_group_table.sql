-- Returns the error groups for the overview (all integrations when $integration is null) in the states listed in
-- $states (empty = every state): lifecycle state, assignee, records in error now, first and last seen, the
-- code's severity and title, the latest example message, and for ignored groups until when / after how many.
-- Regressed first, then open, ignored, resolved; largest first within a state.
-- One group only when $group_id is given (with empty $states: whatever its state).
-- @param integration integer = null
-- @param states varchar[] = ['open', 'regressed']
-- @param group_id bigint = null
select
    s.id,
    s.state,
    s.integration_id,
    i.name as integration,
    s.type,
    s.error_code,
    s.fingerprint as error_group,
    s.open_records as records,
    s.first_seen,
    s.last_seen,
    s.assignee,
    c.severity,
    c.title,
    s.example,
    s.state_changed_at,
    s.resolved_by,
    s.ignored_until,
    s.ignore_count
from error_group_states as s
join integrations as i on i.id = s.integration_id
left join error_codes as c on c.code = s.error_code
where ($integration is null or s.integration_id = $integration)
    and (len($states) = 0 or list_contains($states, s.state))
    and ($group_id::bigint is null or s.id = $group_id)
order by case s.state when 'regressed' then 0 when 'open' then 1 when 'ignored' then 2 else 3 end,
    s.open_records desc, s.last_seen desc nulls last, s.id;
