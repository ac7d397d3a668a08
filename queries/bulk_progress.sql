-- Returns the progress of one bulk retry batch, identified by its records ($ids), requester and the time just
-- before it was requested: requests, finished (succeeded or failed), succeeded and failed.
-- @param ids bigint[] = [2, 4]
-- @param requested_by varchar = 'anna.karlsson@nordicoutdoor.se'
-- @param since timestamptz = '2026-11-26 09:00:00+00'
select
    count(*) as requests,
    count(*) filter (where state in ('succeeded', 'failed')) as finished,
    count(*) filter (where state = 'succeeded') as succeeded,
    count(*) filter (where state = 'failed') as failed
from retry_requests
where entity_id in (select unnest($ids)) and requested_by = $requested_by and requested_at >= $since;
