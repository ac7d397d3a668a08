-- Appends a batch of retry outcomes as 'retry' transactions with app ids (negative: migrations/0060), one per
-- position i of the lists; returns (id, entity_id) of each.
-- @param entity_ids bigint[] = [4, 3]
-- @param outcomes varchar[] = ['success', 'error']
-- @param error_codes varchar[] = [null, 'TIMEOUT']
-- @param messages varchar[] = ['Updated F-5004 in Fortnox', 'Webhook did not answer within 10 s']
-- @param request_payloads varchar[] = ['{"entity_id": 4}', '{"entity_id": 3}']
-- @param response_payloads varchar[] = ['{"outcome": "success"}', null]
-- @param durations integer[] = [12, 10000]
-- @param actor varchar = 'retry-worker'
insert into transactions (id, entity_id, occurred_at, operation, outcome, error_code, message, request_payload,
                          response_payload, duration_ms, actor)
select nextval('app_transaction_ids'), o.entity_id, now(), 'retry', o.outcome, o.error_code, o.message,
    o.request_payload, o.response_payload, o.duration_ms, $actor
from (
    select unnest($entity_ids::bigint[]) as entity_id, unnest($outcomes::varchar[]) as outcome,
        unnest($error_codes::varchar[]) as error_code, unnest($messages::varchar[]) as message,
        unnest($request_payloads::varchar[]) as request_payload,
        unnest($response_payloads::varchar[]) as response_payload, unnest($durations::integer[]) as duration_ms
) as o
returning id, entity_id;
