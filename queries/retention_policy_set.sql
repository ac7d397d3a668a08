-- Sets an integration's retention override (null = the default); returns the integration id.
-- @param integration_id integer = 1
-- @param keep_days integer = 30
-- @param payload_days integer = 7
insert or replace into retention_policies (integration_id, keep_days, payload_days)
values ($integration_id, $keep_days, $payload_days)
returning integration_id;
