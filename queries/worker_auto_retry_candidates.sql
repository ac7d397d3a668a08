-- Returns up to $limit entities the sync engine reported in error with a transient code since $since, in
-- integrations whose auto-retry is on, with no open retry request and no retry recorded since: what the policy
-- retries on its own (failures of the worker's own retries are scheduled when they are recorded).
-- @param since timestamptz = '2026-11-26 00:00:00+00'
-- @param integration_ids integer[] = [1, 2]
-- @param limit integer = 500
select e.id
from entities e
join error_codes c on c.code = e.error_code and c.transient
where e.status = 'error' and e.last_updated >= $since
    and e.integration_id in (select unnest($integration_ids))
    and not exists (select 1 from retry_requests r where r.open_entity_id = e.id)
    and not exists (select 1 from transactions t
                    where t.entity_id = e.id and t.operation = 'retry' and t.occurred_at >= e.last_updated)
order by e.last_updated, e.id
limit $limit;
