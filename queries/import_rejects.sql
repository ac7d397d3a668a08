-- Writes the rejected rows of a checked file to the CSV file $rejects: row (1-based record number in the input),
-- reason (the first rule the row breaks) and record (the row as read, JSON text), in input order.
-- @param checked varchar = 'data/samples/staged/entities.parquet'
-- @param rejects varchar = '/dev/null'
copy (
    select row_no as row, reason, record
    from read_parquet($checked)
    where reason is not null
    order by row_no
) to $rejects (format csv, header true)
