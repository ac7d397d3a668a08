-- Returns the retry queue's health in one row: queued and running request counts and the oldest queued request's
-- requested_at (null when nothing is queued).
-- (no parameters)
select
    count(*) filter (where state = 'queued') as queued,
    count(*) filter (where state = 'running') as running,
    min(requested_at) filter (where state = 'queued') as oldest_queued_at
from retry_requests
where open_entity_id is not null;
