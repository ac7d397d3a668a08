-- Applies a batch of retry outcomes to their entities (position i of each list is one entity): success ->
-- synced (error cleared, storer_ref kept or set), error -> error with the new code and message, pending -> stays
-- pending. Returns nothing.
-- @param entity_ids bigint[] = [4, 3]
-- @param outcomes varchar[] = ['success', 'error']
-- @param storer_refs varchar[] = ['F-5004', null]
-- @param error_codes varchar[] = [null, 'TIMEOUT']
-- @param messages varchar[] = ['Updated F-5004 in Fortnox', 'Webhook did not answer within 10 s']
update entities as e
set status = case o.outcome when 'success' then 'synced' when 'error' then 'error' else 'pending' end,
    storer_ref = coalesce(o.storer_ref, e.storer_ref),
    last_updated = now(),
    error_code = case o.outcome when 'success' then null when 'error' then o.error_code else e.error_code end,
    error_message = case o.outcome when 'success' then null when 'error' then o.message else e.error_message end
from (
    select unnest($entity_ids::bigint[]) as entity_id, unnest($outcomes::varchar[]) as outcome,
        unnest($storer_refs::varchar[]) as storer_ref, unnest($error_codes::varchar[]) as error_code,
        unnest($messages::varchar[]) as message
) as o
where e.id = o.entity_id;
