-- Returns one row for a bulk retry of every record matching the list filter (entity_filter, see its macro):
-- matched and already_open (records with a retry queued or running, which the retry will skip).
-- @param integration integer = 1
-- @param type varchar = 'order'
-- @param statuses varchar[] = ['error']
-- @param q varchar = null
-- @param updated_from timestamptz = null
-- @param updated_to timestamptz = null
-- @param error_group varchar = null
select
    count(*) as matched,
    count(r.open_entity_id) as already_open
from {{filter}}($integration, $type, $statuses, $q, $updated_from, $updated_to, $error_group) as f
left join retry_requests as r on r.open_entity_id = f.id;
