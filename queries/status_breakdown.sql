-- Returns (type, status, n): matching entities per type and status for one integration under the search, date
-- and error-group filters but not the status filter. Feeds the tab labels, the status chart and the total count.
-- @param integration integer = 1
-- @param q varchar = '#100'
-- @param updated_from timestamptz = null
-- @param updated_to timestamptz = '2026-11-27 00:00:00+00'
-- @param error_group varchar = null
select type, status, count(*) as n
from {{filter}}($integration, null, []::varchar[], $q::varchar, $updated_from::timestamptz,
    $updated_to::timestamptz, $error_group::varchar)
group by type, status
order by type, status;
