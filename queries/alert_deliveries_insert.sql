-- Queues one delivery of an event to each channel of its rule, due at $now; returns the delivery ids.
-- @param event_id bigint = 1
-- @param rule_id bigint = 1
-- @param now timestamptz = '2026-11-26 12:00:00+00'
insert into alert_deliveries (event_id, channel_id, channel_name, next_attempt_at)
select $event_id, c.id, c.name, $now
from alert_rule_channels as rc
join alert_channels as c on c.id = rc.channel_id
where rc.rule_id = $rule_id
order by c.id
returning id;
