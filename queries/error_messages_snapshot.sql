-- Snapshots the records in error into this connection's temporary table error_messages_now, one row per
-- integration, type, error code and message: records, earliest and latest last_updated (epoch µs), the message's
-- fingerprint (error_group(), from the error_fingerprints memo where it has it) and whether the memo lacks it. A
-- group sync runs this before taking the write lock (reading the records and normalising new messages is most of
-- its work), so the lock is held only to apply the result: error_fingerprints_fill and error_group_refresh read
-- the snapshot. Returns nothing.
create or replace temp table error_messages_now as
select m.*, f.fingerprint is null as new_message, coalesce(f.fingerprint, error_group(m.message)) as fingerprint
from (
    select integration_id, type, coalesce(error_code, '') as error_code, coalesce(error_message, '') as message,
        count(*) as records, min(epoch_us(last_updated)) as first_us, max(epoch_us(last_updated)) as last_us
    from entities
    where status = 'error'
    group by all
) as m
left join error_fingerprints as f on f.message = m.message;
