-- Gives one alert rule the channels $channel_ids.
-- @param rule_id bigint = 1
-- @param channel_ids bigint[] = [1, 2]
insert into alert_rule_channels (rule_id, channel_id)
select distinct $rule_id, unnest($channel_ids);
