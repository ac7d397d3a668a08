-- Enables or disables one alert rule; returns its id, none if unknown.
-- @param id bigint = 1
-- @param enabled boolean = false
-- @param now timestamptz = '2026-11-26 12:00:00+00'
update alert_rules set enabled = $enabled, updated_at = $now where id = $id returning id;
