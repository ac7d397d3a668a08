-- Adds ($sign = 1) or takes away ($sign = -1) the current contribution to entity_hourly of the stored entities that
-- an entities load's checked rows insert or update: -1 before the load's update, 1 after its insert and update,
-- in the same transaction. Returns nothing.
-- @param checked varchar = 'data/samples/staged/entities.parquet'
-- @param sign integer = 1
insert into entity_hourly
select e.integration_id, e.type, e.status, date_trunc('hour', e.last_updated), $sign * count(*)
from read_parquet($checked) c
join entities e on e.integration_id = c.integration_id and e.type = c.type and e.retriever_ref = c.retriever_ref
where c.action = 'update' or ($sign = 1 and c.action = 'insert')
group by all
on conflict do update set records = entity_hourly.records + excluded.records;
