-- Returns one row of counts of entities whose history contradicts them: last outcome not matching the status,
-- last occurred_at not equal to last_updated, first occurred_at not equal to created_at, or a first
-- operation other than create; and of transactions not strictly after their predecessor (ids in time order).
-- (no parameters)
with ranked as (
    select entity_id, id, occurred_at, outcome, operation,
        lag(occurred_at) over (partition by entity_id order by id) as previous_at
    from transactions
),
histories as (
    select entity_id,
        arg_max(outcome, id) as last_outcome, max(occurred_at) as last_at, min(occurred_at) as first_at,
        arg_min(operation, id) as first_operation,
        count(*) filter (where previous_at >= occurred_at) as out_of_order
    from ranked
    group by entity_id
)
select
    count(*) filter (where h.last_outcome is distinct from case e.status when 'synced' then 'success' else e.status end)
        as wrong_last_outcome,
    count(*) filter (where h.last_at is distinct from e.last_updated) as wrong_last_time,
    count(*) filter (where h.first_at is distinct from e.created_at) as wrong_first_time,
    count(*) filter (where h.first_operation is distinct from 'create') as wrong_first_operation,
    coalesce(sum(h.out_of_order), 0) as out_of_order
from entities e
left join histories h on h.entity_id = e.id;
