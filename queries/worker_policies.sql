-- Returns every integration's storer platform and its retry_policies overrides (null = the default in
-- entities/sync/policy.py), for the worker's limits and auto-retry policy.
-- (no parameters)
select
    i.id as integration_id, i.storer, p.concurrency, p.rate_requests, p.rate_seconds, p.auto_retry,
    p.base_seconds, p.factor, p.cap_seconds, p.max_attempts, p.batch_size
from integrations as i
left join retry_policies as p on p.integration_id = i.id
order by i.id;
