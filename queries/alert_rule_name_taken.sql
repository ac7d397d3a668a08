-- Returns whether another alert rule (not $id) already has the name $rule_name, ignoring case.
-- @param rule_name varchar = 'Orders failing'
-- @param id bigint = 0
select exists (select 1 from alert_rules where lower(name) = lower($rule_name) and id <> $id) as taken;
