-- Applies a retry outcome to its entity: success -> synced (error cleared, storer_ref kept or set),
-- error -> error with the new code and message, pending -> stays pending. Returns nothing.
-- @param entity_id bigint = 4
-- @param outcome varchar = 'success'
-- @param storer_ref varchar = 'F-5004'
-- @param error_code varchar = null
-- @param error_message varchar = null
update entities
set status = case $outcome when 'success' then 'synced' when 'error' then 'error' else 'pending' end,
    storer_ref = coalesce($storer_ref, storer_ref),
    last_updated = now(),
    error_code = case $outcome when 'success' then null when 'error' then $error_code else error_code end,
    error_message = case $outcome when 'success' then null when 'error' then $error_message else error_message end
where id = $entity_id;
