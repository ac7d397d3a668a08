-- Forgets one alert rule's evaluation state (it starts again from ok); for disabled and deleted rules.
-- @param rule_id bigint = 1
delete from alert_states where rule_id = $rule_id;
