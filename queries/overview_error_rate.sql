-- Returns the error rate over time, from each record's latest sync: per UTC bucket of $bucket_seconds (3600 =
-- hourly, 86400 = daily) since $since, per integration and type, the records last synced in that bucket (synced
-- or error; pending ones have no result yet) and how many of them failed. Reads entity_hourly (counts per hour of
-- last_updated, kept with every write), so it does not scan the records: exact for an hour-aligned $since (the
-- overview aligns it). All integrations when $integration is null.
-- @param integration integer = 1
-- @param bucket_seconds bigint = 86400
-- @param since timestamptz = '2026-11-19 00:00:00+00'
with bucketed as (
    select
        integration_id,
        type,
        epoch_us(hour) // ($bucket_seconds * 1000000::bigint) as bucket_no,
        sum(records) as records,
        sum(records) filter (where status = 'error') as errors
    from entity_hourly
    where hour >= date_trunc('hour', $since::timestamptz)
        and status <> 'pending'
        and ($integration is null or integration_id = $integration)
    group by all
    having sum(records) > 0
)
select
    to_timestamp(b.bucket_no * $bucket_seconds) as bucket_start,
    b.integration_id,
    i.name as integration,
    b.type,
    b.records::bigint as records,
    coalesce(b.errors, 0)::bigint as errors
from bucketed as b
join integrations as i on i.id = b.integration_id
order by bucket_start, b.integration_id, b.type;
