-- Reads a CSV file with every column as text into the staging parquet file $staged: row_no (1-based record
-- number, renumbered to physical lines by import_stage_lines) and record (the row as a JSON object of strings).
-- The header is always the first line and the delimiter is given ($delim, found from the header by
-- entities/ingest/textfile.py), so nothing is sniffed and no row is skipped. $columns names the header's fields.
-- $decimal_comma (semicolon files, as Excel writes them in Nordic and German locales): a quantity, amount or
-- total written 12,50 is read as 12.50. A broken quote or a ragged row fails the whole read.
-- @param path varchar = 'data/samples/entities.csv'
-- @param delim varchar = ','
-- @param columns map(varchar, varchar) = map {'integration_id': 'VARCHAR', 'type': 'VARCHAR', 'status': 'VARCHAR', 'retriever_ref': 'VARCHAR', 'storer_ref': 'VARCHAR', 'children': 'VARCHAR', 'created_at': 'VARCHAR', 'last_updated': 'VARCHAR', 'error_code': 'VARCHAR', 'error_message': 'VARCHAR', 'total': 'VARCHAR', 'currency': 'VARCHAR'}
-- @param decimal_comma boolean = false
-- @param staged varchar = '/dev/null'
copy (
    with rows as (
        select row_number() over () as row_no, to_json(t)::varchar as record
        from read_csv($path, header = true, auto_detect = false, columns = $columns, delim = $delim, quote = '"',
                      escape = '"', strict_mode = true, max_line_size = 1073741824) t
    )
    select row_no,
        case when $decimal_comma then json_merge_patch(record, json_object(
            'quantity', regexp_replace(record ->> 'quantity', '^([+-]?[0-9]+),([0-9]+)$', '\1.\2'),
            'amount', regexp_replace(record ->> 'amount', '^([+-]?[0-9]+),([0-9]+)$', '\1.\2'),
            'total', regexp_replace(record ->> 'total', '^([+-]?[0-9]+),([0-9]+)$', '\1.\2'))) else record end
            as record
    from rows
) to $staged (format parquet)
