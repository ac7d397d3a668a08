-- Returns how many error groups are in each lifecycle state (all integrations when $integration is null).
-- @param integration integer = null
select state, count(*) as groups
from error_group_states
where $integration is null or integration_id = $integration
group by state
order by state;
