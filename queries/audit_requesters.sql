-- Returns everyone who has requested a retry, with their request count, alphabetically.
-- (no parameters)
select requested_by, count(*) as requests
from retry_requests
group by requested_by
order by requested_by;
