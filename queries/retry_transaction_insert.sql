-- Appends a pending 'retry' transaction by the actor for each given entity; returns nothing.
-- @param ids bigint[] = [2, 4]
-- @param actor varchar = 'test'
insert into transactions (id, entity_id, occurred_at, operation, outcome, message, actor)
select nextval('transaction_ids'), queued.id, now(), 'retry', 'pending', 'Retry requested by ' || $actor, $actor
from (select e.id from entities e where e.id in (select unnest($ids)) order by e.id) queued;
