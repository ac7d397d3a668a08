-- Puts the given running retry requests back in the queue (the claim count is kept, which bounds re-sends);
-- returns nothing.
-- @param request_ids bigint[] = [1]
update retry_requests
set state = 'queued', claimed_at = null
where state = 'running' and id in (select unnest($request_ids));
