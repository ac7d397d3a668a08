-- Returns every entity, in any integration, whose retriever or storer reference equals $ref exactly (id,
-- integration, type, status, both references, last_updated), by id. Two single-column equality lookups, not an OR
-- and with no other predicate on either side: only then does DuckDB use the ART indexes
-- (schema/30_index_entities_retriever_ref.sql, 31_index_entities_storer_ref.sql) instead of scanning. They are
-- joined with UNION ALL and the one record both could find is dropped by id: a UNION's distinct over every
-- column cost ~8 ms at 10M entities, this ~2 ms.
-- @param ref varchar = '#1001'
select id, integration_id, type, status, retriever_ref, storer_ref, last_updated
from (
    select id, integration_id, type, status, retriever_ref, storer_ref, last_updated
    from entities
    where retriever_ref = $ref
    union all
    select id, integration_id, type, status, retriever_ref, storer_ref, last_updated
    from entities
    where storer_ref = $ref
)
qualify row_number() over (partition by id) = 1
order by id;
