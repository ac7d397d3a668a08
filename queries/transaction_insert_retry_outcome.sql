-- Appends the outcome of a retry as a 'retry' transaction with an app id (negative, never an engine id); returns
-- its id.
-- @param entity_id bigint = 4
-- @param outcome varchar = 'success'
-- @param error_code varchar = null
-- @param message varchar = 'Updated F-5004 in Fortnox'
-- @param request_payload varchar = '{"entity_id": 4}'
-- @param response_payload varchar = '{"outcome": "success"}'
-- @param duration_ms integer = 12
-- @param actor varchar = 'retry-worker'
insert into transactions (id, entity_id, occurred_at, operation, outcome, error_code, message, request_payload,
                          response_payload, duration_ms, actor)
values (nextval('app_transaction_ids'), $entity_id, now(), 'retry', $outcome, $error_code, $message, $request_payload,
        $response_payload, $duration_ms, $actor)
returning id;
