-- Snoozes one alert rule until $until (null ends the snooze); returns its id, none if unknown.
-- @param id bigint = 1
-- @param until timestamptz = '2026-11-26 13:00:00+00'
-- @param now timestamptz = '2026-11-26 12:00:00+00'
update alert_rules set snoozed_until = $until, updated_at = $now where id = $id returning id;
