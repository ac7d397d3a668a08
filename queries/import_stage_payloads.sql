-- Returns the staged rows (row_no, record) of a JSON-lines transactions file whose record names a payload field,
-- so the importer can cut the payloads' source text out of the line (entities/ingest/rawjson.py).
-- @param staged varchar = 'data/samples/staged/transactions.parquet'
select row_no, record
from read_parquet($staged)
where contains(record, '_payload"')
order by row_no
