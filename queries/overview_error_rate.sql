-- Returns the error rate over time, from each record's latest sync: per UTC bucket of $bucket_seconds (3600 =
-- hourly, 86400 = daily) since $since, per integration and type, the records last synced in that bucket (synced
-- or error; pending ones have no result yet) and how many of them failed. Aggregates entities, not transactions,
-- so a 30-day trend stays fast at 1M records, counted before the join that names the integration. All
-- integrations when $integration is null.
-- @param integration integer = 1
-- @param bucket_seconds bigint = 86400
-- @param since timestamptz = '2026-11-19 00:00:00+00'
with bucketed as (
    select
        integration_id,
        type,
        epoch_us(last_updated) // ($bucket_seconds * 1000000::bigint) as bucket_no,
        count(*) as records,
        count(*) filter (where status = 'error') as errors
    from entities
    where last_updated >= $since
        and status <> 'pending'
        and ($integration is null or integration_id = $integration)
    group by all
)
select
    to_timestamp(b.bucket_no * $bucket_seconds) as bucket_start,
    b.integration_id,
    i.name as integration,
    b.type,
    b.records,
    b.errors
from bucketed as b
join integrations as i on i.id = b.integration_id
order by bucket_start, b.integration_id, b.type;
