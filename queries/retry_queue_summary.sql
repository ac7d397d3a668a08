-- Returns the retry queue in one row: queued, running, succeeded and failed request counts.
-- (no parameters)
select
    count(*) filter (where state = 'queued') as queued,
    count(*) filter (where state = 'running') as running,
    count(*) filter (where state = 'succeeded') as succeeded,
    count(*) filter (where state = 'failed') as failed
from retry_requests;
