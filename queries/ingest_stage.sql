-- Reads one or more API batches ($paths: files of JSON lines, or of one JSON array each when $format = 'array')
-- into the staging parquet file $staged: request (0-based position of the file in $paths), row_no (1-based
-- position in that batch), kind (the record's "kind" field, null when absent or not an object) and record (the
-- object as received, JSON text). A malformed batch fails the whole read.
-- @param paths varchar[] = ['data/samples/batch.jsonl']
-- @param format varchar = 'newline_delimited'
-- @param staged varchar = '/dev/null'
copy (
    with objects as (
        select row_number() over () as n, filename, json::varchar as record
        from read_json_objects($paths, format = $format, maximum_object_size = 1073741824, filename = true)
    )
    select list_position($paths, filename) - 1 as request,
        n - min(n) over (partition by filename) + 1 as row_no,
        case when starts_with(ltrim(record), '{') then json_extract_string(record, '$.kind') end as kind,
        record
    from objects
    order by n
) to $staged (format parquet)
