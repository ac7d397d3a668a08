-- Moves every id sequence past the largest id present, after a bulk load. Returns the three new values.
-- (no parameters)
select
    setval('entity_ids', (select coalesce(max(id), 0) + 1 from entities)),
    setval('transaction_ids', (select coalesce(max(id), 0) + 1 from transactions)),
    setval('retry_request_ids', (select coalesce(max(id), 0) + 1 from retry_requests));
