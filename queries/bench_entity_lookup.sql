-- Returns the entities of one integration whose retriever or storer reference equals $ref exactly (id,
-- type, status, both references, last_updated), by id. A union of two equality lookups rather than an OR, so
-- each side can use its ART index (schema/30_indexes.sql).
-- @param integration integer = 1
-- @param ref varchar = '#1001'
select id, type, status, retriever_ref, storer_ref, last_updated
from (
    select id, integration_id, type, status, retriever_ref, storer_ref, last_updated
    from entities
    where retriever_ref = $ref
    union
    select id, integration_id, type, status, retriever_ref, storer_ref, last_updated
    from entities
    where storer_ref = $ref
)
where integration_id = $integration
order by id;
