-- Returns the last request payload the sync engine sent for one entity (one row, or none when it sent nothing).
-- The retry worker's own outcome rows (operation 'retry' by actor 'retry-worker') hold the envelope a retry sent,
-- never the record's payload, so they are skipped: every retry resends the engine's request unchanged.
-- @param entity_id bigint = 2
select request_payload
from transactions
where entity_id = $entity_id and request_payload is not null
    and not (operation = 'retry' and actor = 'retry-worker')
order by occurred_at desc, id desc
limit 1;
