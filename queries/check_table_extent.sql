-- Returns one row: the highest row id of a table (null when empty), read from the row-id column only.
-- @ident table = entities
select max(rowid) as max_rowid
from {{table}}
