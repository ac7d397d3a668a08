-- Returns one list page: the entity_page semantics for the default sort (exact matches first, last_updated desc, id).
-- $statuses is a JSON array of the statuses to keep (never empty here); $q_lower the lowercase search or null.
select id, status, retriever_ref, storer_ref, children, last_us, error_code, error_message,
    case when $q_lower is null then 0
        when lower(retriever_ref) = $q_lower or lower(storer_ref) = $q_lower then 0 else 1 end as match_rank
from entities
where integration_id = $integration
    and type = $type
    and status in (select value from json_each($statuses))
    and ($q_lower is null or instr(lower(retriever_ref), $q_lower) > 0
        or instr(lower(coalesce(storer_ref, '')), $q_lower) > 0)
order by match_rank, last_us desc, id
limit $limit offset $offset;
