-- Returns the smallest and largest entity id with transactions (the pruner walks this range in batches).
-- (no parameters)
select coalesce(min(entity_id), 0) as lo, coalesce(max(entity_id), -1) as hi
from transactions;
