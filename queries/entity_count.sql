-- Returns n: how many entities match the list filter (the entity_filter arguments).
-- @param integration integer = 1
-- @param type varchar = 'order'
-- @param statuses varchar[] = ['error', 'pending']
-- @param q varchar = '#100'
-- @param updated_from timestamptz = '2026-11-20 00:00:00+00'
-- @param updated_to timestamptz = null
-- @param error_group varchar = null
select count(*) as n
from {{filter}}($integration, $type::varchar, $statuses::varchar[], $q::varchar, $updated_from::timestamptz,
    $updated_to::timestamptz, $error_group::varchar);
