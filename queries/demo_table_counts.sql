-- Returns (table_name, row_count) for every table the demo fills, in load order.
-- (no parameters)
select table_name, row_count
from (
    select 1 as ord, 'integrations' as table_name, count(*) as row_count from integrations
    union all select 2, 'flows', count(*) from flows
    union all select 3, 'error_codes', count(*) from error_codes
    union all select 4, 'entities', count(*) from entities
    union all select 5, 'children', count(*) from children
    union all select 6, 'transactions', count(*) from transactions
    union all select 7, 'retry_requests', count(*) from retry_requests
)
order by ord;
