-- Returns one row for a bulk retry of the given record ids: matched (ids that exist) and already_open (of
-- those, records with a retry queued or running, which the retry will skip).
-- @param ids bigint[] = [2, 4, 999]
select
    count(e.id) as matched,
    count(r.open_entity_id) as already_open
from entities as e
left join retry_requests as r on r.open_entity_id = e.id
where e.id in (select unnest($ids));
