-- Marks an entity's unsynced children synced after the whole record synced; returns nothing.
-- @param entity_id bigint = 4
update children
set status = 'synced', error_message = null
where entity_id = $entity_id and status <> 'synced';
