-- Returns (integration_id, type, gave_up) per integration and type with records the auto-retry policy has given up on (in
-- error and not updated since the latest gave-up event), for one integration or all when $integration is null.
-- @param integration integer = 1
select e.integration_id, e.type, count(*) as gave_up
from entities as e
where e.status = 'error'
    and ($integration is null or e.integration_id = $integration)
    and e.id in (select g.entity_id from retry_gave_up_events as g where g.occurred_at >= e.last_updated)
group by e.integration_id, e.type
order by gave_up desc, e.integration_id, e.type;
