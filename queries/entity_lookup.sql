-- Returns every entity, in any integration, whose retriever or storer reference equals $ref exactly (id,
-- integration, type, status, both references, last_updated), by id. A union of two single-column equality
-- lookups, not an OR and with no other predicate on either side: only then does DuckDB use the ART indexes
-- (schema/30_index_entities_retriever_ref.sql, 31_index_entities_storer_ref.sql) instead of scanning.
-- @param ref varchar = '#1001'
select id, integration_id, type, status, retriever_ref, storer_ref, last_updated
from entities
where retriever_ref = $ref
union
select id, integration_id, type, status, retriever_ref, storer_ref, last_updated
from entities
where storer_ref = $ref
order by id;
