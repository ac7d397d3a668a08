-- Reads several API batches of JSON lines joined into one file ($path: before each batch, a line holding only
-- $separator, a JSON object no sender can know) into the staging parquet file $staged, in the shape ingest_stage
-- writes: request (0-based: the separators before the row, less one), row_no (request * $stride + the 1-based
-- position in its batch), kind and record. One file opens and parses faster than one per batch; a JSON object
-- cannot span lines, so every separator is a record of its own. A malformed batch fails the whole read.
-- @param path varchar = 'data/samples/batch.jsonl'
-- @param separator varchar = '{"entities-batch":"0"}'
-- @param stride bigint = 4294967296
-- @param staged varchar = '/dev/null'
copy (
    with objects as (
        select row_number() over () as n, json::varchar as record
        from read_json_objects($path, format = 'newline_delimited', maximum_object_size = 1073741824)
    ),
    numbered as (
        select n, record, record = $separator as separator,
            count(*) filter (where record = $separator) over (order by n) - 1 as request,
            max(n) filter (where record = $separator) over (order by n) as started
        from objects
    )
    select request, request * $stride + n - started as row_no,
        case when starts_with(ltrim(record), '{') then json_extract_string(record, '$.kind') end as kind,
        record
    from numbered
    where not separator
    order by n
) to $staged (format parquet)
