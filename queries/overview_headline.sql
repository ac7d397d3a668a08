-- Returns one row of headline figures for one integration, or all when $integration is null: records, errors,
-- error_pct (share of records in error, 0-100), pending, stuck (pending since before $stuck_before) and
-- oldest_error_at (last_updated of the longest-open error).
-- @param integration integer = 1
-- @param stuck_before timestamptz = '2026-11-26 11:00:00+00'
select
    count(*) as records,
    count(*) filter (where status = 'error') as errors,
    coalesce(round(100.0 * count(*) filter (where status = 'error') / nullif(count(*), 0), 2), 0) as error_pct,
    count(*) filter (where status = 'pending') as pending,
    count(*) filter (where status = 'pending' and last_updated < $stuck_before) as stuck,
    min(last_updated) filter (where status = 'error') as oldest_error_at
from entities
where $integration is null or integration_id = $integration;
