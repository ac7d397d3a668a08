-- Returns one entity's retry requests, newest first: id, state, requested_at/by, finished_at, transaction_id,
-- attempt (1 = asked by a person or token, n = the policy's n-th), not_before (a scheduled automatic retry) and
-- reason (why it ended when no transaction says so).
-- @param entity_id bigint = 2
select id, entity_id, open_entity_id, state, requested_at, requested_by, finished_at, transaction_id,
    coalesce(attempt, 1) as attempt, not_before, reason
from retry_requests
where entity_id = $entity_id
order by requested_at desc, id desc;
