-- Returns the last request payload sent for one entity (one row, or none when nothing was ever sent).
-- @param entity_id bigint = 2
select request_payload
from transactions
where entity_id = $entity_id and request_payload is not null
order by occurred_at desc, id desc
limit 1;
