-- Returns the latest error-group and flow-threshold changes from the audit log, newest first: when, who (and
-- whether a person or a policy), the action (group.resolved, group.regressed, flow.threshold, ...), its target
-- and detail.
-- @param limit integer = 50
select occurred_at, actor, actor_kind, action, target, detail
from audit_log
where action like 'group.%' or action like 'flow.%'
order by occurred_at desc, id desc
limit $limit;
