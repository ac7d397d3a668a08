-- Inserts the checked transaction rows whose action is insert, in (entity_id, occurred_at) order, keeping the
-- source's ids; payloads are stored exactly as received.
-- @param checked varchar = 'data/samples/staged/transactions.parquet'
insert into transactions (id, entity_id, occurred_at, operation, outcome, error_code, message, request_payload,
                          response_payload, duration_ms, actor)
select id, entity_id, occurred_at, operation, outcome, error_code, message, request_payload, response_payload,
    duration_ms, actor
from read_parquet($checked)
where action = 'insert'
order by entity_id, occurred_at, id
