-- Writes the records of one kind from staged batches ($batch, see ingest_stage) to the staging parquet file
-- $staged in the shape the import checks read: row_no (request * $stride + the position in its batch) and record.
-- @param batch varchar = 'data/samples/staged/batch.parquet'
-- @param kind varchar = 'entities'
-- @param stride bigint = 4294967296
-- @param staged varchar = '/dev/null'
copy (
    select request * $stride + row_no as row_no, record
    from read_parquet($batch)
    where kind = $kind
    order by request, row_no
) to $staged (format parquet)
