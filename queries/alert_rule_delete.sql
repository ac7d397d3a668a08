-- Deletes one alert rule (its events stay in the history under the rule's name); returns its id, none if unknown.
-- @param id bigint = 1
delete from alert_rules where id = $id returning id;
