-- Reads a JSON-lines file (one object per line) into the staging parquet file $staged: row_no (1-based record
-- number) and record (the line as read, JSON text). A malformed or truncated line fails the whole read.
-- @param path varchar = 'data/samples/entities.jsonl'
-- @param staged varchar = '/dev/null'
copy (
    select row_number() over () as row_no, json::varchar as record
    from read_json_objects($path, format = 'newline_delimited', maximum_object_size = 1073741824)
) to $staged (format parquet)
