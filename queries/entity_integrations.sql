-- Returns (id, integration_id) for each given entity that exists.
-- @param ids bigint[] = [2, 4]
select id, integration_id
from entities
where id in (select unnest($ids))
order by id;
