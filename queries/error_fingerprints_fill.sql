-- Adds the fingerprint of every message of a record in error that error_fingerprints lacks, as the snapshot
-- error_messages_snapshot.sql took computed it; returns one row per added message.
-- @needs error_messages_snapshot
insert into error_fingerprints (message, fingerprint)
select distinct m.message, m.fingerprint
from error_messages_now as m
anti join error_fingerprints as f on f.message = m.message
where m.new_message
order by m.message
returning 1;
