-- Returns one entity's retry requests, newest first: id, state, requested_at/by, finished_at, transaction_id.
-- @param entity_id bigint = 2
select id, entity_id, open_entity_id, state, requested_at, requested_by, finished_at, transaction_id
from retry_requests
where entity_id = $entity_id
order by requested_at desc, id desc;
