-- Appends the pending retry transaction of one entity.
insert into transactions (id, entity_id, occurred_us, operation, outcome, actor)
values ((select max(id) + 1 from transactions), $entity_id, $now_us, 'retry', 'pending', $actor);
