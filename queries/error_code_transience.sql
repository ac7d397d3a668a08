-- Returns (code, transient) for every code in the error catalogue: what the auto-retry policy retries.
-- (no parameters)
select code, transient
from error_codes
order by code;
