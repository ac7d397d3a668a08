-- Returns, for each given flow_stale rule, rule_id and value: the enabled flows in its scope that are stale at $now:
-- no successful transaction for longer than twice their usual interval between successes over the 7 days before
-- $now, and at least 15 minutes. A flow with no success in those 7 days is stale once its last_synced_at (if any)
-- is older than 15 minutes. Only records updated in those 7 days can have transactions in them (last_updated is
-- their latest sync), so only those are joined.
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param rule_ids bigint[] = [1, 2]
with rules as (
    select id, integration_id, type
    from alert_rules
    where list_contains($rule_ids, id)
),
successes as (
    select
        e.integration_id,
        e.type,
        count(*) as n,
        min(t.occurred_at) as first_at,
        max(t.occurred_at) as last_at
    from transactions as t
    join (select id, integration_id, type from entities where last_updated >= $now - interval 7 days) as e
        on e.id = t.entity_id
    where t.outcome = 'success' and t.occurred_at >= $now - interval 7 days and t.occurred_at < $now
    group by all
),
freshness as (
    select
        f.integration_id,
        f.type,
        coalesce(s.last_at, f.last_synced_at) as last_success,
        greatest(
            interval 15 minutes,
            case when s.n > 1 then 2 * (s.last_at - s.first_at) / (s.n - 1) else interval 15 minutes end
        ) as threshold
    from flows as f
    left join successes as s on s.integration_id = f.integration_id and s.type = f.type
    where f.enabled
),
stale as (
    select integration_id, type
    from freshness
    where last_success is null or $now - last_success > threshold
)
select r.id as rule_id, count(s.type) as value
from rules as r
left join stale as s
    on (r.integration_id is null or s.integration_id = r.integration_id)
    and (r.type is null or s.type = r.type)
group by r.id
order by r.id;
