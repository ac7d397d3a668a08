-- Returns (integration_id, type, records, errors) per flow with records, biggest first: the bench's filters.
-- (no parameters)
select integration_id, type, count(*) as records, count(*) filter (where status = 'error') as errors
from entities
group by all
order by records desc, integration_id, type;
