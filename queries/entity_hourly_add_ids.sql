-- Adds ($sign = 1) or takes away ($sign = -1) the given entities' current contribution to entity_hourly: called
-- with -1 before a write changes their status or last_updated and with 1 after it, in the same transaction.
-- Returns nothing.
-- @param ids bigint[] = [2, 4]
-- @param sign integer = 1
insert into entity_hourly
select integration_id, type, status, date_trunc('hour', last_updated), $sign * count(*)
from entities
where id in (select unnest($ids::bigint[]))
group by all
on conflict do update set records = entity_hourly.records + excluded.records;
