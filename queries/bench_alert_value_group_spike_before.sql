-- Returns, for each given group_spike rule, rule_id and value, as alert_value_group_spike.sql computed them before
-- the 7-day baselines were cached: every evaluation scans and normalises the whole 7 days. Kept only so `entities
-- bench` can measure the evaluator against it in the same run.
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param rule_ids bigint[] = [1, 2]
with rules as (
    select id, integration_id, type, error_group, window_minutes, coalesce(min_volume, 1) as min_volume,
        $now - to_minutes(window_minutes) as since
    from alert_rules
    where list_contains($rule_ids, id)
),
touched as (
    select id, integration_id, type
    from entities
    where last_updated >= (select min(since) from rules) - interval 7 days
),
errors as (
    select e.integration_id, e.type, t.message, t.occurred_at
    from transactions as t
    join touched as e on e.id = t.entity_id
    where t.outcome = 'error'
        and t.occurred_at >= (select min(since) from rules) - interval 7 days
        and t.occurred_at < $now
),
messages as (
    select distinct message from errors
),
grouped as (
    select m.message, error_group(coalesce(m.message, '')) as error_group
    from messages as m
),
per_rule_group as (
    select
        r.id as rule_id,
        r.min_volume,
        r.window_minutes,
        x.integration_id,
        x.type,
        g.error_group,
        count(*) filter (where x.occurred_at >= r.since) as current,
        count(*) filter (where x.occurred_at < r.since and x.occurred_at >= r.since - interval 7 days) as week
    from rules as r
    join errors as x
        on (r.integration_id is null or x.integration_id = r.integration_id)
        and (r.type is null or x.type = r.type)
    join grouped as g on g.message is not distinct from x.message
    where r.error_group is null or g.error_group = r.error_group
    group by all
)
select
    r.id as rule_id,
    coalesce(max(round(p.current / greatest(1.0, p.week * p.window_minutes / (7 * 1440.0)), 2))
        filter (where p.current >= p.min_volume), 0) as value
from rules as r
left join per_rule_group as p on p.rule_id = r.id
group by r.id
order by r.id;
