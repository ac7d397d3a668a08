-- Returns, for each given retry_depth rule, rule_id and value: the retry requests queued or running for records
-- in its scope: the queue as it is now.
-- @param rule_ids bigint[] = [1, 2]
with rules as (
    select id, integration_id, type
    from alert_rules
    where list_contains($rule_ids, id)
),
open_requests as (
    select e.integration_id, e.type
    from retry_requests as q
    join entities as e on e.id = q.entity_id
    where q.open_entity_id is not null
)
select r.id as rule_id, count(o.type) as value
from rules as r
left join open_requests as o
    on (r.integration_id is null or o.integration_id = r.integration_id)
    and (r.type is null or o.type = r.type)
group by r.id
order by r.id;
