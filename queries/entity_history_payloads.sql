-- Returns one page of an entity's transactions, newest first, with their request and response payloads exactly as
-- stored, and the total number of transactions of the entity in every row (the read API's history).
-- @param entity_id bigint = 2
-- @param page_size integer = 25
-- @param offset integer = 0
select
    id, occurred_at, operation, outcome, error_code, message, duration_ms, actor, request_payload, response_payload,
    count(*) over () as total
from transactions
where entity_id = $entity_id
order by occurred_at desc, id desc
limit $page_size offset $offset;
