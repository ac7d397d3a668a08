-- Applies the due policy transitions of error groups (error_group_transitions): auto-resolve, regression,
-- ignore expiry; resolved_by is the policy principal $actor. Returns (id, new state) per changed group.
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param actor varchar = 'policy:group-lifecycle'
update error_group_states as s
set state = t.to_state,
    state_changed_at = $now,
    resolved_at = case when t.to_state = 'resolved' then $now else s.resolved_at end,
    resolved_by = case when t.to_state = 'resolved' then $actor else s.resolved_by end,
    ignored_at = case when t.from_state = 'ignored' then null else s.ignored_at end,
    ignored_until = case when t.from_state = 'ignored' then null else s.ignored_until end,
    ignore_count = case when t.from_state = 'ignored' then null else s.ignore_count end,
    ignored_by = case when t.from_state = 'ignored' then null else s.ignored_by end
from error_group_transitions($now) as t
where s.id = t.id
returning s.id, s.state;
