-- Returns (entities_checksum, transactions_checksum): order-independent hashes of every demo row's content,
-- to check that a seed and anchor always give the same data.
-- (no parameters)
select
    (select sum(hash(id, integration_id, type, status, retriever_ref, storer_ref, children, created_at,
                     last_updated, error_code, error_message, total, currency))
     from entities) as entities_checksum,
    (select sum(hash(id, entity_id, occurred_at, operation, outcome, error_code, message, request_payload,
                     response_payload, duration_ms, actor))
     from transactions) as transactions_checksum;
