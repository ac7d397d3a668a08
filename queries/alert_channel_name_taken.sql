-- Returns whether a notification channel already has the name $channel_name, ignoring case.
-- @param channel_name varchar = 'ops webhook'
select exists (select 1 from alert_channels where lower(name) = lower($channel_name)) as taken;
