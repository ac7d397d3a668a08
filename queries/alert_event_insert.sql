-- Records that a rule fired or resolved; returns the event id.
-- @param rule_id bigint = 1
-- @param rule_name varchar = 'Orders failing'
-- @param event varchar = 'fired'
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param value double = 12.5
-- @param threshold double = 10
-- @param scope varchar = 'Nordic Outdoor · Orders'
-- @param link varchar = 'http://localhost:8501/?integration=1&type=order&status=error'
-- @param notified boolean = true
insert into alert_events (rule_id, rule_name, event, occurred_at, value, threshold, scope, link, notified)
values ($rule_id, $rule_name, $event, $now, $value, $threshold, $scope, $link, $notified)
returning id;
