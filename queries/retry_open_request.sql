-- Returns the open (queued or running) retry request of one entity, if any: id, state, requested_at, requested_by.
-- @param entity_id bigint = 2
select id, state, requested_at, requested_by
from retry_requests
where open_entity_id = $entity_id
order by id;
