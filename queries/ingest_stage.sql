-- Reads one API batch ($path: JSON lines, or one JSON array when $format = 'array') into the staging parquet
-- file $staged: row_no (1-based position in the batch), kind (the record's "kind" field, null when absent or not
-- an object) and record (the object as received, JSON text). A malformed batch fails the whole read.
-- @param path varchar = 'data/samples/batch.jsonl'
-- @param format varchar = 'newline_delimited'
-- @param staged varchar = '/dev/null'
copy (
    select row_number() over () as row_no,
        case when starts_with(ltrim(json::varchar), '{') then json_extract_string(json, '$.kind') end as kind,
        json::varchar as record
    from read_json_objects($path, format = $format, maximum_object_size = 1073741824)
) to $staged (format parquet)
