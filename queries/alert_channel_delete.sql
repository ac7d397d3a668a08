-- Deletes one notification channel; returns its id, none if unknown.
-- @param id bigint = 1
delete from alert_channels where id = $id returning id;
