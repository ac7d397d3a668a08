-- Marks the unsynced children of the given entities synced after their whole records synced; returns nothing.
-- @param ids bigint[] = [4]
update children
set status = 'synced', error_message = null
where entity_id in (select unnest($ids)) and status <> 'synced';
