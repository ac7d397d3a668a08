-- Creates an ART index on transactions.entity_id: one entity's history reads its own ~10 rows instead of a whole
-- 122,880-row group (the table is sorted by entity_id, so zone maps alone narrow it only to one row group).
create index if not exists transactions_entity_id on transactions (entity_id);
