-- Returns (table, rows) for the main tables of a database: what a backup reports, and restores are checked by.
-- (no parameters)
select 'entities' as "table", count(*) as "rows" from entities
union all select 'transactions', count(*) from transactions
union all select 'children', count(*) from children
union all select 'retry_requests', count(*) from retry_requests
union all select 'integrations', count(*) from integrations
order by 1
