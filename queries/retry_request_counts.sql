-- Returns, for one entity: all retry requests, the open ones, and its pending 'retry' transactions.
-- @param entity_id bigint = 2
select
    (select count(*) from retry_requests where entity_id = $entity_id) as requests,
    (select count(*) from retry_requests where open_entity_id = $entity_id) as open_requests,
    (select count(*) from transactions
     where entity_id = $entity_id and operation = 'retry' and outcome = 'pending') as pending_retries;
