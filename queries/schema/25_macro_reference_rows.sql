-- Defines reference_rows(integration, type, q, problem): the references view of an integration, one row per
-- record with both references, status, last_updated and shared_by (how many retriever refs of that integration
-- and type map to the same storer ref; 2 or more is an integrity problem). type null = every type; q searches
-- either reference (case-insensitive, literal); problem: 'all', 'unmapped' (no storer ref) or 'conflict'.
create or replace macro reference_rows(p_integration, p_type, p_q, p_problem) as table
with shared as (
    select type, storer_ref, count(*) as shared_by
    from entities
    where integration_id = p_integration and storer_ref is not null
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
where e.integration_id = p_integration
    and (p_type is null or e.type = p_type)
    and (
        coalesce(p_q, '') = ''
        or contains(lower(e.retriever_ref), lower(p_q))
        or contains(lower(coalesce(e.storer_ref, '')), lower(p_q))
    )
    and (
        p_problem = 'all'
        or (p_problem = 'unmapped' and e.storer_ref is null)
        or (p_problem = 'conflict' and s.shared_by is not null)
    );
