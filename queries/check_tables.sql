-- Returns the tables of this database with their highest row id (table_name, estimated_size): what `entities
-- check` reads, in row-id ranges. Only tables of our own schema are read (the table-slot allowlist).
-- (no parameters)
select table_name, estimated_size
from duckdb_tables()
where database_name = current_database() and schema_name = 'main'
order by table_name
