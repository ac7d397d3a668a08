-- Inserts the checked error catalogue rows whose action is insert.
-- @param checked varchar = 'data/samples/staged/error_codes.parquet'
insert into error_codes (code, severity, transient, title, cause, fix)
select code, severity, transient, title, cause, fix
from read_parquet($checked)
where action = 'insert'
order by code
