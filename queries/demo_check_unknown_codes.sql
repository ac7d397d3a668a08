-- Returns the number of error entities whose error_code is missing or not in error_codes.
-- (no parameters)
select count(*) as unknown
from entities e
left join error_codes c on c.code = e.error_code
where e.status = 'error' and c.code is null;
