-- A person's retry of a record whose automatic retry is waiting for its backoff takes that request over: it is
-- due now, asked by $actor, and its attempts start again at 1. Returns the entity ids taken over.
-- @param ids bigint[] = [2, 4]
-- @param actor varchar = 'test'
-- @param policy_actor varchar = 'policy:auto-retry'
update retry_requests
set requested_by = $actor, requested_at = now(), attempt = 1, not_before = null, claims = 0
where state = 'queued' and requested_by = $policy_actor and open_entity_id in (select unnest($ids))
returning entity_id;
