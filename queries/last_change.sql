-- Returns last_change_at: the newest last_updated of any entity (null in an empty database), for the health check.
-- (no parameters)
select max(last_updated) as last_change_at
from entities;
