-- Returns the import counts of a checked file of merged batches per request (row_no // $stride): read, inserted,
-- updated, unchanged, rejected and payload_invalid, as import_counts does for one file.
-- @param checked varchar = 'data/samples/staged/transactions.parquet'
-- @param stride bigint = 4294967296
select
    row_no // $stride as request,
    count(*) as read,
    count(*) filter (where action = 'insert') as inserted,
    count(*) filter (where action = 'update') as updated,
    count(*) filter (where action = 'unchanged') as unchanged,
    count(*) filter (where reason is not null) as rejected,
    count(*) filter (where reason is null and action <> 'unchanged' and payload_invalid) as payload_invalid
from read_parquet($checked)
group by 1
order by 1
