-- Takes away from entity_hourly the current contribution of the stored entities that an entities load's checked
-- rows update: run before the update, in its transaction. The stored rows are found by a semi join on the indexed
-- retriever_ref, which DuckDB answers from the index for a few rows (an API post) instead of scanning every
-- entity. Returns nothing.
-- @param checked varchar = 'data/samples/staged/entities.parquet'
insert into entity_hourly
with stored as materialized (
    select integration_id, type, retriever_ref, status, last_updated
    from entities
    where retriever_ref in (select retriever_ref from read_parquet($checked) where action = 'update')
)
select e.integration_id, e.type, e.status, date_trunc('hour', e.last_updated), -count(*)
from read_parquet($checked) c
join stored e on e.integration_id = c.integration_id and e.type = c.type and e.retriever_ref = c.retriever_ref
where c.action = 'update'
group by all
on conflict do update set records = entity_hourly.records + excluded.records;
