-- Returns the given ids that are not entities, ascending.
-- @param ids bigint[] = [2, 999999]
select distinct wanted.id
from unnest($ids) as wanted(id)
where wanted.id not in (select id from entities)
order by wanted.id;
