-- Marks the given entities pending (a retry is queued) and touches last_updated; returns nothing.
-- @param ids bigint[] = [2, 4]
update entities
set status = 'pending', last_updated = now()
where id in (select unnest($ids));
