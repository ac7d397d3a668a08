-- Sets (or replaces) a flow's stale-after override in minutes; returns the flow's type.
-- @param integration integer = 1
-- @param type varchar = 'order'
-- @param minutes integer = 30
-- @param actor varchar = 'ops@example.com'
insert or replace into flow_settings (integration_id, type, stale_after_minutes, updated_at, updated_by)
values ($integration, $type, $minutes, now(), $actor)
returning type;
