-- Returns every entity, in any integration, whose retriever or storer reference equals $ref exactly (id,
-- integration, type, status, both references, last_updated), by id. Two single-column equality lookups, not an OR
-- and with no other predicate on either side: only then does DuckDB use the ART indexes
-- (schema/30_index_entities_retriever_ref.sql, 31_index_entities_storer_ref.sql) instead of scanning. The record
-- both could find is dropped from the storer side after its lookup: the CTE is materialized so that filter is not
-- pushed into the scan. A distinct over the union cost ~8 ms at 10M entities, a window over it ~4, this ~2.
-- @param ref varchar = '#1001'
with by_storer as materialized (
    select id, integration_id, type, status, retriever_ref, storer_ref, last_updated
    from entities
    where storer_ref = $ref
)
select id, integration_id, type, status, retriever_ref, storer_ref, last_updated
from entities
where retriever_ref = $ref
union all
select id, integration_id, type, status, retriever_ref, storer_ref, last_updated
from by_storer
where retriever_ref is distinct from $ref
order by id;
