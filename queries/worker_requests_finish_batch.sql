-- Finishes a batch of retry requests (position i of each list is one request): final state, now, the
-- transaction it produced; closes each so a new retry of its entity can be requested. Returns nothing.
-- @param request_ids bigint[] = [1]
-- @param states varchar[] = ['failed']
-- @param transaction_ids bigint[] = [5]
update retry_requests as r
set state = o.state, finished_at = now(), transaction_id = o.transaction_id, open_entity_id = null, reason = null
from (
    select unnest($request_ids::bigint[]) as id, unnest($states::varchar[]) as state,
        unnest($transaction_ids::bigint[]) as transaction_id
) as o
where r.id = o.id;
