-- Finishes a retry request: its final state, when, the transaction it produced (if any) and the reason when no
-- transaction says it; closes it so a new retry of the entity can be requested. Returns nothing.
-- @param request_id bigint = 1
-- @param state varchar = 'failed'
-- @param transaction_id bigint = 5
-- @param reason varchar = null
update retry_requests
set state = $state, finished_at = now(), transaction_id = $transaction_id, open_entity_id = null, reason = $reason
where id = $request_id;
