-- Reads a Parquet file into the staging parquet file $staged: row_no (1-based row number) and record (the row
-- as a JSON object; numbers, booleans and timestamps become their JSON text). A corrupt file fails the read.
-- @param path varchar = 'data/samples/entities.parquet'
-- @param staged varchar = '/dev/null'
copy (
    select row_number() over () as row_no, to_json(t)::varchar as record
    from read_parquet($path) t
) to $staged (format parquet)
