-- Moves the entity_ids sequence past the largest entity id when it is behind (sequences_advance.sql for entities
-- alone: an entities load takes its ids from this sequence and writes no other table, so scanning the
-- transactions for the other sequences is wasted). Returns its new last value, or null when left alone.
-- (no parameters)
select setval('entity_ids', max(id))
from entities
having max(id) > coalesce((select last_value from duckdb_sequences()
                           where database_name = current_database() and schema_name = 'main'
                               and sequence_name = 'entity_ids'), 0);
