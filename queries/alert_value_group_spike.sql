-- Returns, for each given group_spike rule, rule_id and value: how many times its error group's expected count
-- the failed transactions in its window before $now are, for the most spiking group in its integration/type scope
-- (or only its error_group when set). Expected = the group's errors in the 7 days before the window (the $b_*
-- lists: error_group_baselines.sql, which the evaluator refreshes every few minutes), scaled to the window's
-- length, and at least 1 (a new group's ratio is its count). Groups with fewer errors in the window than the
-- rule's min_volume do not count; 0 when no group qualifies. Only the windows are read here: only records updated
-- since the widest began can have transactions in it, and each distinct message is normalised once.
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param rule_ids bigint[] = [1, 2]
-- @param b_windows integer[] = [60]
-- @param b_integrations integer[] = [1]
-- @param b_types varchar[] = ['order']
-- @param b_groups varchar[] = ['Rate limit exceeded: 429 Too Many Requests']
-- @param b_weeks bigint[] = [10]
with rules as (
    select id, integration_id, type, error_group, window_minutes, coalesce(min_volume, 1) as min_volume,
        $now - to_minutes(window_minutes) as since
    from alert_rules
    where list_contains($rule_ids, id)
),
baseline as (
    select
        unnest($b_windows::integer[]) as window_minutes,
        unnest($b_integrations::integer[]) as integration_id,
        unnest($b_types::varchar[]) as type,
        unnest($b_groups::varchar[]) as error_group,
        unnest($b_weeks::bigint[]) as week
),
touched as (
    select id, integration_id, type
    from entities
    where last_updated >= (select min(since) from rules)
),
errors as (
    select e.integration_id, e.type, coalesce(t.message, '') as message, t.occurred_at
    from transactions as t
    join touched as e on e.id = t.entity_id
    where t.outcome = 'error'
        and t.occurred_at >= (select min(since) from rules)
        and t.occurred_at < $now
),
grouped as materialized (
    select message, error_group(message) as error_group
    from (select distinct message from errors)
),
per_rule_group as (
    select r.id as rule_id, r.min_volume, r.window_minutes, x.integration_id, x.type, g.error_group,
        count(*) as current
    from rules as r
    join errors as x
        on x.occurred_at >= r.since
        and (r.integration_id is null or x.integration_id = r.integration_id)
        and (r.type is null or x.type = r.type)
    join grouped as g using (message)
    where r.error_group is null or g.error_group = r.error_group
    group by all
)
select
    r.id as rule_id,
    coalesce(max(round(p.current / greatest(1.0, coalesce(b.week, 0) * p.window_minutes / (7 * 1440.0)), 2))
        filter (where p.current >= p.min_volume), 0) as value
from rules as r
left join per_rule_group as p on p.rule_id = r.id
left join baseline as b
    on b.window_minutes = p.window_minutes
    and b.integration_id = p.integration_id
    and b.type = p.type
    and b.error_group = p.error_group
group by r.id
order by r.id;
