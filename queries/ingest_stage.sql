-- Reads one or more API batches ($paths: files of JSON lines, or of one JSON array each when $format = 'array')
-- into the staging parquet file $staged: request (0-based position of the file in $paths), row_no (request *
-- $stride + the 1-based position in that batch, so merged batches keep their rows apart), kind (the record's "kind" field, null when absent or not an object) and record (the
-- object as received, JSON text). A malformed batch fails the whole read.
-- @param paths varchar[] = ['data/samples/batch.jsonl']
-- @param format varchar = 'newline_delimited'
-- @param stride bigint = 4294967296
-- @param staged varchar = '/dev/null'
copy (
    with objects as (
        select row_number() over () as n, filename, json::varchar as record
        from read_json_objects($paths, format = $format, maximum_object_size = 1073741824, filename = true)
    )
    select list_position($paths, filename) - 1 as request,
        (list_position($paths, filename) - 1) * $stride + n - min(n) over (partition by filename) + 1 as row_no,
        case when starts_with(ltrim(record), '{') then json_extract_string(record, '$.kind') end as kind,
        record
    from objects
    order by n
) to $staged (format parquet)
