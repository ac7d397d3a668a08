-- Sets one integration's retry limits and auto-retry policy (null = the default in entities/sync/policy.py);
-- returns nothing.
-- @param integration_id integer = 1
-- @param auto_retry boolean = null
-- @param base_seconds double = 10.0
-- @param factor double = null
-- @param cap_seconds double = null
-- @param max_attempts integer = 3
-- @param concurrency integer = null
-- @param rate_requests integer = null
-- @param rate_seconds double = null
-- @param batch_size integer = null
insert or replace into retry_policies (integration_id, auto_retry, base_seconds, factor, cap_seconds, max_attempts,
                                       concurrency, rate_requests, rate_seconds, batch_size)
values ($integration_id, $auto_retry, $base_seconds, $factor, $cap_seconds, $max_attempts, $concurrency,
        $rate_requests, $rate_seconds, $batch_size);
