-- Returns the entity's last successful transaction with a request payload before the given time (one row or none):
-- the baseline a failed request is compared with.
-- @param entity_id bigint = 2
-- @param before timestamptz = '2026-11-26 09:00:00+00'
select id, occurred_at, operation, request_payload
from transactions
where entity_id = $entity_id and outcome = 'success' and request_payload is not null and occurred_at < $before
order by occurred_at desc, id desc
limit 1;
