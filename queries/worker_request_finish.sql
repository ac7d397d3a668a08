-- Finishes a retry request: its final state, when, and the transaction it produced; closes it so a new
-- retry of the entity can be requested. Returns nothing.
-- @param request_id bigint = 1
-- @param state varchar = 'failed'
-- @param transaction_id bigint = 5
update retry_requests
set state = $state, finished_at = now(), transaction_id = $transaction_id, open_entity_id = null
where id = $request_id;
