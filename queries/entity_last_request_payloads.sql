-- Returns (entity_id, request_payload): the last request the sync engine sent for each given entity (as
-- entity_last_request_payload.sql, for a batch: one scan instead of one lookup per record; none for an entity
-- the engine never sent anything for).
-- @param ids bigint[] = [2, 4]
select entity_id, arg_max(request_payload, (occurred_at, id)) as request_payload
from transactions
where entity_id in (select unnest($ids)) and request_payload is not null and id > 0
    and not (operation = 'retry' and actor = 'retry-worker')
group by entity_id
order by entity_id;
