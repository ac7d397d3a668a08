-- Updates enabled and last_synced_at of stored flows from the checked rows whose action is update.
-- @param checked varchar = 'data/samples/staged/flows.parquet'
update flows s
set enabled = c.enabled, last_synced_at = c.last_synced_at
from read_parquet($checked) c
where c.action = 'update' and s.integration_id = c.integration_id and s.type = c.type
