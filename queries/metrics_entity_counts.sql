-- Returns (integration_id, integration, type, status, n): entities per integration, type and status, for /metrics.
-- (no parameters)
select e.integration_id, i.name as integration, e.type, e.status, count(*) as n
from entities as e
join integrations as i on i.id = e.integration_id
group by all
order by e.integration_id, e.type, e.status;
