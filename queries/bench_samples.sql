-- Returns $n stored entities (storer_ref set) in a deterministic pseudo-random order of $seed, with both
-- references: the bench picks its varying parameters (ids, references) from them.
-- @param n integer = 5
-- @param seed integer = 42
select id, integration_id, type, status, retriever_ref, storer_ref
from entities
where storer_ref is not null
order by hash(id, $seed), id
limit $n;
