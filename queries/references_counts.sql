-- Returns one row of counts for the references view of an integration under $type and $q (same meaning as in
-- references_page.sql): records, unmapped (no storer ref) and conflicts (records whose storer ref is shared by
-- two or more retriever refs of the same type).
-- @param integration integer = 2
-- @param type varchar = 'order'
-- @param q varchar = ''
with shared as (
    select type, storer_ref
    from entities
    where integration_id = $integration and storer_ref is not null
    group by all
    having count(*) > 1
)
select
    count(*) as records,
    count(*) filter (where e.storer_ref is null) as unmapped,
    count(s.storer_ref) as conflicts
from entities as e
left join shared as s on s.type = e.type and s.storer_ref = e.storer_ref
where e.integration_id = $integration
    and ($type is null or e.type = $type)
    and (
        coalesce($q, '') = ''
        or contains(lower(e.retriever_ref), lower($q))
        or contains(lower(coalesce(e.storer_ref, '')), lower($q))
    );
