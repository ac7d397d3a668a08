-- Returns the ids among $ids that exist, oldest first per integration (integration, last_updated, id), at most
-- $cap of them: the order in which a bulk retry queues them.
-- @param ids bigint[] = [6, 2, 999]
-- @param cap bigint = 10000
select e.id
from entities as e
where e.id in (select unnest($ids))
order by e.integration_id, e.last_updated, e.id
limit $cap;
