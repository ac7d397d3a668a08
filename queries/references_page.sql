-- Returns one page of the retriever_ref -> storer_ref mapping of an integration: per record its type, both
-- references, status, last_updated and shared_by (how many retriever refs of that integration and type map to
-- the same storer ref; 2 or more is an integrity problem). $type null = every type; $q searches either
-- reference (case-insensitive, literal); $problem: 'all', 'unmapped' (no storer ref) or 'conflict'.
-- Ordered by type and retriever ref; conflicts by storer ref so the records sharing one sit together.
-- @param integration integer = 2
-- @param type varchar = null
-- @param q varchar = 'F-50'
-- @param problem varchar = 'conflict'
-- @param page_size integer = 50
-- @param page_offset integer = 0
with shared as (
    select type, storer_ref, count(*) as shared_by
    from entities
    where integration_id = $integration and storer_ref is not null
    group by all
    having count(*) > 1
)
select
    e.id as entity_id,
    e.type,
    e.retriever_ref,
    e.storer_ref,
    e.status,
    e.last_updated,
    coalesce(s.shared_by, case when e.storer_ref is null then 0 else 1 end) as shared_by
from entities as e
left join shared as s on s.type = e.type and s.storer_ref = e.storer_ref
where e.integration_id = $integration
    and ($type is null or e.type = $type)
    and (
        coalesce($q, '') = ''
        or contains(lower(e.retriever_ref), lower($q))
        or contains(lower(coalesce(e.storer_ref, '')), lower($q))
    )
    and (
        $problem = 'all'
        or ($problem = 'unmapped' and e.storer_ref is null)
        or ($problem = 'conflict' and s.shared_by is not null)
    )
order by e.type, case when $problem = 'conflict' then e.storer_ref end, e.retriever_ref, e.id
limit $page_size offset $page_offset;
