-- Returns every flow with its freshness at $now as flow_freshness.sql computed it before the evaluator cached the
-- 7-day history (same columns). Kept only so `entities bench` can measure the evaluator against it in the same run.
-- @param integration integer = null
-- @param now timestamptz = '2026-11-26 12:00:00+00'
with success_minutes as (
    select e.integration_id, e.type, date_trunc('minute', t.occurred_at) as minute, max(t.occurred_at) as last_at
    from transactions as t
    join entities as e on e.id = t.entity_id
    where t.outcome = 'success'
        and t.occurred_at > $now - interval 7 day
        and t.occurred_at <= $now
        and ($integration is null or e.integration_id = $integration)
    group by all
),
gaps as (
    select integration_id, type, last_at,
        epoch(minute) - epoch(lag(minute) over (partition by integration_id, type order by minute)) as gap_s
    from success_minutes
),
history as (
    select integration_id, type, max(last_at) as last_success_at, median(gap_s) / 60.0 as usual_gap_minutes
    from gaps
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
