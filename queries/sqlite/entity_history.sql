-- Returns one page of an entity's transactions, newest first, with the entity's transaction count in each row.
select id, occurred_us, operation, outcome, error_code, message, duration_ms, actor,
    (select count(*) from transactions where entity_id = $entity_id) as total
from transactions
where entity_id = $entity_id
order by occurred_us desc, id desc
limit $page_size offset $offset;
