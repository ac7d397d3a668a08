-- Returns the number of (integration_id, type, retriever_ref) values held by more than one entity.
-- (no parameters)
select count(*) as duplicates
from (
    select integration_id, type, retriever_ref
    from entities
    group by all
    having count(*) > 1
);
