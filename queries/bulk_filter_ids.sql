-- Returns the ids of the records matching the list filter (entity_filter, see its macro), oldest first per
-- integration (integration, last_updated, id), at most $cap of them: the order in which a bulk retry queues them.
-- @param integration integer = 1
-- @param type varchar = 'order'
-- @param statuses varchar[] = ['error']
-- @param q varchar = null
-- @param updated_from timestamptz = null
-- @param updated_to timestamptz = null
-- @param error_group varchar = 'Article ''<sku>'' not found in Fortnox'
-- @param cap bigint = 10000
select f.id
from {{filter}}($integration, $type, $statuses, $q, $updated_from, $updated_to, $error_group) as f
order by f.integration_id, f.last_updated, f.id
limit $cap;
