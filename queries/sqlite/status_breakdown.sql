-- Returns (type, status, n) of one integration under the reference search $q_lower (lowercase; null = none).
select type, status, count(*) as n
from entities
where integration_id = $integration
    and ($q_lower is null or instr(lower(retriever_ref), $q_lower) > 0
        or instr(lower(coalesce(storer_ref, '')), $q_lower) > 0)
group by type, status
order by type, status;
