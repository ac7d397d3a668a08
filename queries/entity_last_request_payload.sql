-- Returns the last request payload the sync engine sent for one entity (one row, or none when it sent nothing).
-- Rows this app made hold the envelope a retry sent, never the record's payload, so they are skipped: negative
-- ids (migrations/0060) and, in databases from before that, the worker's own 'retry' rows. Every retry thus
-- resends the engine's request unchanged.
-- @param entity_id bigint = 2
select request_payload
from transactions
where entity_id = $entity_id and request_payload is not null and id > 0
    and not (operation = 'retry' and actor = 'retry-worker')
order by occurred_at desc, id desc
limit 1;
