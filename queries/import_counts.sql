-- Returns the import counts of one checked file: read, insert (new rows), update, unchanged, rejected, and
-- payload_invalid (loaded rows whose request or response payload is not valid JSON).
-- @param checked varchar = 'data/samples/staged/transactions.parquet'
select
    count(*) as read,
    count(*) filter (where action = 'insert') as inserted,
    count(*) filter (where action = 'update') as updated,
    count(*) filter (where action = 'unchanged') as unchanged,
    count(*) filter (where reason is not null) as rejected,
    count(*) filter (where reason is null and action <> 'unchanged' and payload_invalid) as payload_invalid
from read_parquet($checked)
