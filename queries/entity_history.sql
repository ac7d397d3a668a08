-- Returns one page of an entity's transactions, newest first, without their payloads (the Raw data tab reads
-- those one at a time: even their lengths cost ~9 of ~11 ms at 100M transactions), and the total number of
-- transactions of the entity in every row.
-- @param entity_id bigint = 2
-- @param page_size integer = 25
-- @param offset integer = 0
select
    id, occurred_at, operation, outcome, error_code, message, duration_ms, actor,
    count(*) over () as total
from transactions
where entity_id = $entity_id
order by occurred_at desc, id desc
limit $page_size offset $offset;
