-- Returns the rejected rows of a checked file: row_no (1-based position in the input) and reason, in input order.
-- @param checked varchar = 'data/samples/staged/entities.parquet'
select row_no, reason
from read_parquet($checked)
where reason is not null
order by row_no;
