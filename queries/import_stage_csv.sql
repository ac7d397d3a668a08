-- Reads a CSV file (comma, double quotes, header row) with every column as text into the staging parquet file
-- $staged: row_no (1-based data row number) and record (the row as read, as a JSON object of strings).
-- A broken quote or a ragged row fails the whole read.
-- @param path varchar = 'data/samples/entities.csv'
-- @param staged varchar = '/dev/null'
copy (
    select row_number() over () as row_no, to_json(t)::varchar as record
    from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
                  strict_mode = true, max_line_size = 1073741824) t
) to $staged (format parquet)
