-- Renumbers a staging parquet file's row_no from record numbers to physical line numbers, into $target: a record's
-- line is its number plus the offset of the last jump at or before it ($jump_rows ascending, $jump_offsets: blank
-- lines, a CSV header and quoted fields spanning lines move the offset; see entities/ingest/textfile.py).
-- @param staged varchar = 'data/samples/staged/entities.parquet'
-- @param jump_rows bigint[] = [1]
-- @param jump_offsets bigint[] = [1]
-- @param target varchar = '/dev/null'
copy (
    with jumps as (
        select unnest($jump_rows) as at_row, unnest($jump_offsets) as offset_lines
    )
    select s.row_no + coalesce(j.offset_lines, 0) as row_no, s.record
    from read_parquet($staged) s
    asof left join jumps j on s.row_no >= j.at_row
    order by s.row_no
) to $target (format parquet)
