-- Changes an error group's state by hand: resolve (resolved_at/by set), reopen or ignore (for $ignore_minutes
-- or until $ignore_count more error transactions; both null = not ignored). Returns the group id.
-- @param group_id bigint = 1
-- @param state varchar = 'resolved'
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param actor varchar = 'ops@example.com'
-- @param ignore_minutes integer = null
-- @param ignore_count integer = null
update error_group_states
set state = $state,
    state_changed_at = $now,
    resolved_at = case when $state = 'resolved' then $now else null end,
    resolved_by = case when $state = 'resolved' then $actor else null end,
    ignored_at = case when $state = 'ignored' then $now end,
    ignored_until = case when $state = 'ignored' and $ignore_minutes is not null
                         then $now + to_minutes($ignore_minutes) end,
    ignore_count = case when $state = 'ignored' then $ignore_count end,
    ignored_by = case when $state = 'ignored' then $actor end
where id = $group_id
returning id;
