-- Removes a flow's stale-after override, back to the default from its history; returns the removed row's type.
-- @param integration integer = 1
-- @param type varchar = 'order'
delete from flow_settings
where integration_id = $integration and type = $type
returning type;
