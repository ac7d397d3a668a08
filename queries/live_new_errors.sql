-- Returns how many records went into error at or after $since (their last_updated), for the "N new errors since
-- you opened this page" line: one integration (and type) or all when null.
-- @param integration integer = null
-- @param type varchar = null
-- @param since timestamptz = '2026-11-26 00:00:00+00'
select count(*) as new_errors
from entities
where status = 'error'
    and last_updated >= $since
    and ($integration is null or integration_id = $integration)
    and ($type is null or type = $type);
