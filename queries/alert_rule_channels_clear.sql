-- Removes every channel from one alert rule (before setting its new ones).
-- @param rule_id bigint = 1
delete from alert_rule_channels where rule_id = $rule_id;
