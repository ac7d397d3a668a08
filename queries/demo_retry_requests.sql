-- Inserts one finished retry request for every manual retry in the history (a person, not the scheduler):
-- requested seconds before its retry transaction, succeeded or failed with it. None is left queued, so the
-- app's worker has nothing to pick up. Ids continue after the largest existing id. Returns the row count.
-- @param seed bigint = 42
insert into retry_requests (id, entity_id, open_entity_id, requested_at, requested_by, state, finished_at,
                            transaction_id)
select
    (select coalesce(max(id), 0) from retry_requests) + row_number() over (order by t.id),
    t.entity_id,
    null,
    t.occurred_at - to_milliseconds((2000 + hash(t.id, $seed) % 90000)::bigint),
    t.actor,
    case t.outcome when 'success' then 'succeeded' else 'failed' end,
    t.occurred_at,
    t.id
from transactions t
where t.operation = 'retry' and t.actor like '%@%' and t.outcome <> 'pending'
order by t.id;
