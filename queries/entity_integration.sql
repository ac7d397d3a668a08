-- Returns the integration of one entity (one row or none): the sidebar picker follows the viewed entity's.
-- @param entity_id bigint = 2
select integration_id
from entities
where id = $entity_id;
