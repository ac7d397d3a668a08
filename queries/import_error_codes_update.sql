-- Updates stored error codes from the checked rows whose action is update (a field differs).
-- @param checked varchar = 'data/samples/staged/error_codes.parquet'
update error_codes s
set severity = c.severity, transient = c.transient, title = c.title, cause = c.cause, fix = c.fix
from read_parquet($checked) c
where c.action = 'update' and s.code = c.code
