-- Adds the fingerprint (error_group) of every message of a record in error that error_fingerprints lacks;
-- returns one row per added message.
insert into error_fingerprints (message, fingerprint)
select m.message, error_group(m.message)
from (
    select distinct coalesce(error_message, '') as message
    from entities
    where status = 'error'
) as m
anti join error_fingerprints as f on f.message = m.message
order by m.message
returning 1;
