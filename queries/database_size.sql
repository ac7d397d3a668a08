-- Returns the database's size as DuckDB accounts it: total, used and free blocks and the block size.
-- (no parameters)
select total_blocks, used_blocks, free_blocks, block_size
from pragma_database_size()
where database_name = current_database();
