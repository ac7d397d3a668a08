-- Moves every id sequence past the ids present, after a bulk load, so the next nextval() is new: entity_ids,
-- transaction_ids and retry_request_ids past the largest id, app_transaction_ids (counting down) past the
-- smallest negative one. A sequence never moves back and is left alone when nothing is beyond it, so a load that
-- adds nothing consumes no values. Returns the four sequences' last values (null where left alone).
-- (no parameters)
with last as (
    select sequence_name, last_value
    from duckdb_sequences()
    where database_name = current_database() and schema_name = 'main'
)
select
    (select setval('entity_ids', max(id)) from entities
     having max(id) > coalesce((select last_value from last where sequence_name = 'entity_ids'), 0)) as entity_ids,
    (select setval('transaction_ids', max(id)) from transactions
     having max(id) > coalesce((select last_value from last where sequence_name = 'transaction_ids'), 0))
        as transaction_ids,
    (select setval('app_transaction_ids', min(id)) from transactions
     having min(id) < coalesce((select last_value from last where sequence_name = 'app_transaction_ids'), 0))
        as app_transaction_ids,
    (select setval('retry_request_ids', max(id)) from retry_requests
     having max(id) > coalesce((select last_value from last where sequence_name = 'retry_request_ids'), 0))
        as retry_request_ids;
