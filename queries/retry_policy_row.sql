-- Returns one integration's stored retry_policies row (its overrides), or no row when it has none.
-- @param integration_id integer = 1
select auto_retry, base_seconds, factor, cap_seconds, max_attempts, concurrency, rate_requests, rate_seconds, batch_size
from retry_policies
where integration_id = $integration_id
order by integration_id;
