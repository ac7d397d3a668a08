-- Returns (status, share) of all entities, share as a fraction 0..1; used to check the demo's status mix.
-- (no parameters)
select status, count(*) / sum(count(*)) over () as share
from entities
group by status
order by status;
