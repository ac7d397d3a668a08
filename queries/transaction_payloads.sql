-- Returns one transaction of one entity with its full request and response payloads (one row or none).
-- @param entity_id bigint = 2
-- @param transaction_id bigint = 5
select id, occurred_at, operation, outcome, error_code, request_payload, response_payload
from transactions
where entity_id = $entity_id and id = $transaction_id
order by id;
