-- Queues one retry request per given entity that exists and has no open request, oldest first per integration;
-- returns the queued entity ids. The unique open_entity_id makes a concurrent duplicate fail at commit.
-- @param ids bigint[] = [2, 4]
-- @param actor varchar = 'test'
insert into retry_requests (id, entity_id, open_entity_id, requested_at, requested_by, state)
select nextval('retry_request_ids'), picked.id, picked.id, now(), $actor, 'queued'
from (
    select e.id
    from entities e
    where e.id in (select unnest($ids))
      and not exists (select 1 from retry_requests r where r.open_entity_id = e.id)
    order by e.integration_id, e.last_updated, e.id
) picked
returning entity_id;
