-- Appends a pending 'retry' transaction by the actor for each given entity, with an app id (negative: see
-- migrations/0060_app_transaction_ids.sql); returns nothing.
-- @param ids bigint[] = [2, 4]
-- @param actor varchar = 'test'
insert into transactions (id, entity_id, occurred_at, operation, outcome, message, actor)
select nextval('app_transaction_ids'), queued.id, now(), 'retry', 'pending', 'Retry requested by ' || $actor, $actor
from (select e.id from entities e where e.id in (select unnest($ids)) order by e.id) queued;
