-- Returns per day bucket since $since_us, integration and type: records last synced then (not pending) and errors.
select last_us / 86400000000 as bucket_no, integration_id, type, count(*) as records,
    sum(status = 'error') as errors
from entities
where last_us >= $since_us and status <> 'pending'
group by bucket_no, integration_id, type
order by bucket_no, integration_id, type;
