-- Gives up the queued deliveries to one channel (it was deleted), saying so.
-- @param channel_id bigint = 1
update alert_deliveries
set status = 'failed', next_attempt_at = null, last_error = 'channel deleted before delivery'
where channel_id = $channel_id and status = 'queued';
