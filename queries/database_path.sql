-- The file behind this connection: one row (path), null for an in-memory database. Used by db.write to find
-- which database a cursor writes to (its read-only mode).
select path
from duckdb_databases()
where database_name = current_database()
order by path
