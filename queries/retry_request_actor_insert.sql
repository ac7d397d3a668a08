-- Records the subject and kind of whoever just queued the open retry requests of the given entities; returns nothing.
-- Call in the transaction that queued them: an entity has at most one open request, so these are exactly those.
-- A person taking over a scheduled automatic retry replaces the policy's row.
-- @param ids bigint[] = [2, 4]
-- @param actor_subject varchar = 'sub-1'
-- @param actor_kind varchar = 'user'
insert or replace into retry_request_actors (request_id, actor_subject, actor_kind)
select r.id, $actor_subject, $actor_kind
from retry_requests as r
where r.open_entity_id in (select unnest($ids))
order by r.id;
