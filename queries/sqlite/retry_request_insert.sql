-- Queues one retry request; the unique open_entity_id refuses a second open request.
insert into retry_requests (entity_id, open_entity_id, requested_us, requested_by, state)
values ($entity_id, $entity_id, $now_us, $actor, 'queued');
