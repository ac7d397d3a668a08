-- Returns one row of headline figures for one integration, or all when $integration is null: records, errors,
-- error_pct (share of records in error, 0-100), pending, stuck (pending since before $stuck_before) and
-- oldest_error_at (last_updated of the longest-open error). The counts come from entity_hourly (kept with every
-- write); only the hour that $stuck_before falls in and the oldest error's hour are read from the records, so at
-- 10M entities it no longer scans every row.
-- @param integration integer = 1
-- @param stuck_before timestamptz = '2026-11-26 11:00:00+00'
with counts as (
    select status, hour, sum(records) as n
    from entity_hourly
    where $integration is null or integration_id = $integration
    group by all
    having sum(records) > 0
),
oldest_error_hour as (
    select min(hour) as hour from counts where status = 'error'
),
stuck_in_last_hour as (
    select count(*) as n
    from entities
    where last_updated >= date_trunc('hour', $stuck_before::timestamptz) and last_updated < $stuck_before
        and status = 'pending' and ($integration is null or integration_id = $integration)
),
oldest_error as (
    select min(last_updated) as oldest
    from entities
    where last_updated >= (select hour from oldest_error_hour)
        and last_updated < (select hour from oldest_error_hour) + interval 1 hour
        and status = 'error' and ($integration is null or integration_id = $integration)
)
select
    coalesce(sum(n), 0)::bigint as records,
    coalesce(sum(n) filter (where status = 'error'), 0)::bigint as errors,
    coalesce(round(100.0 * sum(n) filter (where status = 'error') / nullif(sum(n), 0), 2), 0) as error_pct,
    coalesce(sum(n) filter (where status = 'pending'), 0)::bigint as pending,
    (coalesce(sum(n) filter (where status = 'pending' and hour < date_trunc('hour', $stuck_before::timestamptz)), 0)
        + (select n from stuck_in_last_hour))::bigint as stuck,
    (select oldest from oldest_error) as oldest_error_at
from counts;
