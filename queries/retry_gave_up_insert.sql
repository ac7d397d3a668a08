-- Records that the auto-retry policy gave up on an entity after its last attempt; returns nothing.
-- Alert rules read retry_gave_up_events; the list's gave-up filter and the overview count come from it too.
-- @param entity_id bigint = 4
-- @param request_id bigint = 1
-- @param attempts integer = 5
-- @param error_code varchar = 'TIMEOUT'
-- @param message varchar = 'Webhook did not answer within 10 s'
insert into retry_gave_up_events (entity_id, integration_id, request_id, attempts, error_code, message)
select e.id, e.integration_id, $request_id, $attempts, $error_code, $message
from entities e
where e.id = $entity_id;
