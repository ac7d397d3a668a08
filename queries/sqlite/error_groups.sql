-- Returns the error groups of records in error: per integration, type and error_group (a Python function) the count.
select integration_id, type, error_group(error_message) as error_group, count(*) as records,
    min(last_us) as first_seen, max(last_us) as last_seen
from entities
where status = 'error'
group by integration_id, type, error_group
order by records desc, integration_id, type, error_group;
