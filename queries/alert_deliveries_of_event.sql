-- Returns the deliveries of one alert event by channel name: status, attempts, next attempt, sent at, last error.
-- @param event_id bigint = 1
select channel_name, status, attempts, next_attempt_at, sent_at, last_error
from alert_deliveries
where event_id = $event_id
order by channel_name, id;
