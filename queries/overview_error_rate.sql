-- Returns the error rate over time: per $bucket ('hour' or 'day') since $since, per integration and type, the
-- number of sync transactions and how many ended in error; buckets without transactions are absent.
-- All integrations when $integration is null.
-- @param integration integer = 1
-- @param bucket varchar = 'day'
-- @param since timestamptz = '2026-11-19 00:00:00+00'
with windowed as (
    select t.entity_id, t.outcome, date_trunc($bucket, t.occurred_at) as bucket_start
    from transactions as t
    where t.occurred_at >= $since and t.outcome <> 'pending'
)
select
    w.bucket_start,
    e.integration_id,
    i.name as integration,
    e.type,
    count(*) as transactions,
    count(*) filter (where w.outcome = 'error') as errors
from windowed as w
join entities as e on e.id = w.entity_id
join integrations as i on i.id = e.integration_id
where $integration is null or e.integration_id = $integration
group by all
order by w.bucket_start, e.integration_id, e.type;
