-- Returns the 7-day baselines of the group_spike rules: for each window length in $windows (minutes), each error
-- group's failed transactions in the 7 days before that window ends at $now: window_minutes, integration_id, type,
-- error_group, week. The alert evaluator keeps them for a while (evaluator.BASELINE_SECONDS) and passes them to
-- alert_value_group_spike.sql. Each distinct message is normalised once; only records updated since the earliest
-- baseline began can have transactions in it (last_updated is a record's latest sync).
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param windows integer[] = [15, 60]
with windows as (
    select w as window_minutes, $now - to_minutes(w) as since
    from unnest($windows::integer[]) as u(w)
),
touched as (
    select id, integration_id, type
    from entities
    where last_updated >= (select min(since) from windows) - interval 7 days
),
errors as (
    select e.integration_id, e.type, coalesce(t.message, '') as message, t.occurred_at
    from transactions as t
    join touched as e on e.id = t.entity_id
    where t.outcome = 'error'
        and t.occurred_at >= (select min(since) from windows) - interval 7 days
        and t.occurred_at < (select max(since) from windows)
),
per_message as (
    select x.integration_id, x.type, x.message, w.window_minutes, count(*) as week
    from errors as x
    join windows as w on x.occurred_at >= w.since - interval 7 days and x.occurred_at < w.since
    group by all
),
grouped as materialized (
    select message, error_group(message) as error_group
    from (select distinct message from per_message)
)
select p.window_minutes, p.integration_id, p.type, g.error_group, sum(p.week)::bigint as week
from per_message as p
join grouped as g using (message)
group by all
order by p.window_minutes, p.integration_id, p.type, g.error_group;
