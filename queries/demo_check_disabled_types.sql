-- Returns the number of entities whose integration has no enabled flow for their type.
-- (no parameters)
select count(*) as outside_flows
from entities e
left join flows f on f.integration_id = e.integration_id and f.type = e.type and f.enabled
where f.type is null;
