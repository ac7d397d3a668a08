-- Returns the flow (integration_id, type, enabled) and its current override, or no row when the integration
-- does not sync that type at all.
-- @param integration integer = 1
-- @param type varchar = 'order'
select f.integration_id, f.type, f.enabled, s.stale_after_minutes
from flows as f
left join flow_settings as s on s.integration_id = f.integration_id and s.type = f.type
where f.integration_id = $integration and f.type = $type;
