-- Returns an entity's children (order lines, variants, …) by line number, with references, status and error.
-- @param entity_id bigint = 2
select line_no, retriever_ref, storer_ref, description, quantity, amount, currency, status, error_message
from children
where entity_id = $entity_id
order by line_no;
