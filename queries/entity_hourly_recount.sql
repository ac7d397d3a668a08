-- Rebuilds entity_hourly from entities (after a bulk load that bypasses the per-write upkeep, e.g. the demo, or a
-- test fixture). Returns nothing.
delete from entity_hourly;
insert into entity_hourly
select integration_id, type, status, date_trunc('hour', last_updated), count(*)
from entities
group by all;
