-- Changes one alert rule's settings (validated by entities/watch/rules.py); returns its id, none if unknown.
-- @param id bigint = 1
-- @param rule_name varchar = 'Orders failing'
-- @param kind varchar = 'error_rate'
-- @param integration_id integer = 1
-- @param type varchar = 'order'
-- @param error_group varchar = null
-- @param window_minutes integer = 15
-- @param min_volume integer = 20
-- @param age_minutes integer = null
-- @param threshold double = 10
-- @param recovery_threshold double = 5
-- @param pending_seconds integer = 120
-- @param now timestamptz = '2026-11-26 12:00:00+00'
update alert_rules
set name = $rule_name, kind = $kind, integration_id = $integration_id, type = $type, error_group = $error_group,
    window_minutes = $window_minutes, min_volume = $min_volume, age_minutes = $age_minutes, threshold = $threshold,
    recovery_threshold = $recovery_threshold, pending_seconds = $pending_seconds, updated_at = $now
where id = $id
returning id;
