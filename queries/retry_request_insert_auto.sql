-- Queues the policy's automatic retries: one request per given entity that has no open request, with its attempt
-- number and not before $now + its delay ($delays[i] seconds for $ids[i]); returns the queued entity ids.
-- @param ids bigint[] = [2, 4]
-- @param delays double[] = [30.0, 45.0]
-- @param attempt integer = 2
-- @param actor varchar = 'policy:auto-retry'
-- @param now timestamptz = '2026-11-26 12:00:00+00'
insert into retry_requests (id, entity_id, open_entity_id, requested_at, requested_by, state, attempt, not_before)
select nextval('retry_request_ids'), picked.id, picked.id, now(), $actor, 'queued', $attempt,
    $now + to_microseconds(cast(picked.delay * 1000000 as bigint))
from (
    select e.id, wanted.delay
    from (select unnest($ids) as id, unnest($delays) as delay) as wanted
    join entities e on e.id = wanted.id
    where not exists (select 1 from retry_requests r where r.open_entity_id = e.id)
    order by e.id
) picked
returning entity_id;
