-- Writes the records of one kind from staged batches ($batch, see ingest_stage) to the staging parquet file
-- $staged in the shape the import checks read: row_no (already request * stride + the position in its batch) and
-- record. Not needed when the batch holds one known kind only: the checks read the staged batch itself.
-- @param batch varchar = 'data/samples/staged/batch.parquet'
-- @param kind varchar = 'entities'
-- @param staged varchar = '/dev/null'
copy (
    select row_no, record
    from read_parquet($batch)
    where kind = $kind
    order by request, row_no
) to $staged (format parquet)
