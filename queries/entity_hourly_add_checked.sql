-- Adds to entity_hourly the checked rows an entities load inserted or updated, as they are stored now: run after
-- the load's writes, in its transaction (an update sets status and last_updated from the checked row and keeps
-- the key, so the checked row is the stored one; no lookup of the entities). Returns nothing.
-- @param checked varchar = 'data/samples/staged/entities.parquet'
insert into entity_hourly
select integration_id, type, status, date_trunc('hour', last_updated), count(*)
from read_parquet($checked)
where action in ('insert', 'update')
group by all
on conflict do update set records = entity_hourly.records + excluded.records;
