-- Returns the number of change-log rows matching the filters (same meaning as in audit_log_page.sql).
-- @param actor varchar = null
-- @param action varchar = 'role_rule.set'
-- @param changed_from timestamptz = null
-- @param changed_to timestamptz = null
select count(*) as changes
from audit_log
where ($actor is null or actor = $actor)
    and ($action is null or action = $action)
    and ($changed_from is null or occurred_at >= $changed_from)
    and ($changed_to is null or occurred_at < $changed_to);
