-- Returns, for each given retry_age rule, rule_id and value: minutes between the oldest queued or running retry
-- request for a record in its scope and $now; 0 when none is open.
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param rule_ids bigint[] = [1, 2]
with rules as (
    select id, integration_id, type
    from alert_rules
    where list_contains($rule_ids, id)
),
open_requests as (
    select e.integration_id, e.type, q.requested_at
    from retry_requests as q
    join entities as e on e.id = q.entity_id
    where q.open_entity_id is not null
)
select
    r.id as rule_id,
    coalesce(round(greatest(0, epoch($now) - epoch(min(o.requested_at))) / 60.0, 1), 0) as value
from rules as r
left join open_requests as o
    on (r.integration_id is null or o.integration_id = r.integration_id)
    and (r.type is null or o.type = r.type)
group by r.id
order by r.id;
