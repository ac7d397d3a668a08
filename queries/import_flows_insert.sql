-- Inserts the checked flow rows whose action is insert.
-- @param checked varchar = 'data/samples/staged/flows.parquet'
insert into flows (integration_id, type, enabled, last_synced_at)
select integration_id, type, enabled, last_synced_at
from read_parquet($checked)
where action = 'insert'
order by integration_id, type
