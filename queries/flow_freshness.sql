-- Returns every flow (all integrations when $integration is null) with its freshness at $now:
-- last_success_at (latest successful sync: a success transaction in the last 7 days, or the last update of a
-- record that is synced now), usual_gap_minutes (median gap between the minutes that had a successful sync in
-- the 7 days before $now; null with fewer than two such minutes), threshold_minutes (the override in
-- flow_settings, else greatest(15, 2 x usual gap), 15 without history), basis ('override' | 'history' |
-- 'minimum'), stale (enabled and no success for longer than the threshold) and minutes_since_success.
-- Stale flows first, then by integration and type.
-- @param integration integer = null
-- @param now timestamptz = '2026-11-26 12:00:00+00'
with touched as (
    -- only records updated in the last 7 days can have a transaction in them (last_updated is the latest sync)
    select id, integration_id, type
    from entities
    where last_updated > $now - interval 7 day and ($integration is null or integration_id = $integration)
),
successes as (
    select e.integration_id, e.type, t.occurred_at, epoch_us(t.occurred_at) // 60000000 as minute
    from transactions as t
    join touched as e on e.id = t.entity_id
    where t.outcome = 'success'
        and t.occurred_at > $now - interval 7 day
        and t.occurred_at <= $now
),
success_minutes as (
    select distinct integration_id, type, minute
    from successes
),
gaps as (
    select integration_id, type,
        60 * (minute - lag(minute) over (partition by integration_id, type order by minute)) as gap_s
    from success_minutes
),
history as (
    select g.integration_id, g.type, l.last_success_at, median(g.gap_s) / 60.0 as usual_gap_minutes
    from gaps as g
    join (select integration_id, type, max(occurred_at) as last_success_at from successes group by all) as l
        using (integration_id, type)
    group by all
),
synced_now as (
    select integration_id, type, max(last_updated) as last_synced_record
    from entities
    where status = 'synced' and last_updated <= $now and ($integration is null or integration_id = $integration)
    group by all
),
flows_now as (
    select
        f.integration_id,
        i.name as integration,
        f.type,
        f.enabled,
        nullif(greatest(coalesce(h.last_success_at, 'epoch'::timestamptz),
                        coalesce(s.last_synced_record, 'epoch'::timestamptz)), 'epoch'::timestamptz) as last_success_at,
        round(h.usual_gap_minutes, 1) as usual_gap_minutes,
        o.stale_after_minutes as override_minutes,
        coalesce(o.stale_after_minutes,
                 greatest(15, ceil(2 * coalesce(h.usual_gap_minutes, 0)))::integer) as threshold_minutes,
        case
            when o.stale_after_minutes is not null then 'override'
            when 2 * h.usual_gap_minutes > 15 then 'history'
            else 'minimum'
        end as basis
    from flows as f
    join integrations as i on i.id = f.integration_id
    left join history as h on h.integration_id = f.integration_id and h.type = f.type
    left join synced_now as s on s.integration_id = f.integration_id and s.type = f.type
    left join flow_settings as o on o.integration_id = f.integration_id and o.type = f.type
    where $integration is null or f.integration_id = $integration
)
select
    *,
    floor((epoch($now) - epoch(last_success_at)) / 60)::bigint as minutes_since_success,
    enabled and (last_success_at is null or $now - last_success_at > to_minutes(threshold_minutes)) as stale
from flows_now
order by stale desc, integration_id, type;
