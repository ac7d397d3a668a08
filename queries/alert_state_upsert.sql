-- Records one alert rule's state after an evaluation at $now.
-- @param rule_id bigint = 1
-- @param state varchar = 'pending'
-- @param since timestamptz = '2026-11-26 11:58:00+00'
-- @param value double = 12.5
-- @param now timestamptz = '2026-11-26 12:00:00+00'
insert or replace into alert_states (rule_id, state, since, value, evaluated_at)
values ($rule_id, $state, $since, $value, $now);
