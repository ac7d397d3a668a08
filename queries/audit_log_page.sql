-- Returns one page of the change log (audit_log), newest first: when, who (name, subject, kind), what action on
-- which target, and the detail. Filters: $actor, $action (null = any) and occurred_at in [$changed_from,
-- $changed_to) (null = open).
-- @param actor varchar = 'ops@example.com'
-- @param action varchar = null
-- @param changed_from timestamptz = null
-- @param changed_to timestamptz = '2027-01-01 00:00:00+00'
-- @param page_size integer = 50
-- @param page_offset integer = 0
select id, occurred_at, actor, actor_subject, actor_kind, action, target, detail
from audit_log
where ($actor is null or actor = $actor)
    and ($action is null or action = $action)
    and ($changed_from is null or occurred_at >= $changed_from)
    and ($changed_to is null or occurred_at < $changed_to)
order by occurred_at desc, id desc
limit $page_size offset $page_offset;
