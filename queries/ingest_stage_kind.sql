-- Writes the records of one kind from a staged batch ($batch, see ingest_stage) to the staging parquet file
-- $staged in the shape the import checks read: row_no (the position in the batch) and record.
-- @param batch varchar = 'data/samples/staged/batch.parquet'
-- @param kind varchar = 'entities'
-- @param staged varchar = '/dev/null'
copy (
    select row_no, record from read_parquet($batch) where kind = $kind order by row_no
) to $staged (format parquet)
