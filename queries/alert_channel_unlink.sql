-- Removes one channel from every rule that used it.
-- @param channel_id bigint = 1
delete from alert_rule_channels where channel_id = $channel_id;
