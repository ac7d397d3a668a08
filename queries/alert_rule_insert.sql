-- Inserts one alert rule (validated by entities/watch/rules.py); returns its id.
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
insert into alert_rules (name, kind, integration_id, type, error_group, window_minutes, min_volume, age_minutes,
    threshold, recovery_threshold, pending_seconds, created_at, updated_at)
values ($rule_name, $kind, $integration_id, $type, $error_group, $window_minutes, $min_volume, $age_minutes,
    $threshold, $recovery_threshold, $pending_seconds, $now, $now)
returning id;
