-- Returns, for each given gave_up rule, rule_id and value: the records in its integration/type scope that the
-- auto-retry policy has given up on and that are still in error, not updated since their latest gave-up event
-- (retry_gave_up_events, written by the worker; the same rule as overview_gave_up.sql and the list's gave_up=1).
-- A retry by hand or a later sync ends it. The state as it is now, like the retry queue.
-- @param rule_ids bigint[] = [1, 2]
with rules as (
    select id, integration_id, type
    from alert_rules
    where list_contains($rule_ids, id)
),
given_up as (
    select distinct e.id, e.integration_id, e.type
    from retry_gave_up_events as g
    join entities as e on e.id = g.entity_id
    where e.status = 'error' and g.occurred_at >= e.last_updated
)
select r.id as rule_id, count(g.id) as value
from rules as r
left join given_up as g
    on (r.integration_id is null or g.integration_id = r.integration_id)
    and (r.type is null or g.type = r.type)
group by r.id
order by r.id;
