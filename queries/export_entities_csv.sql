-- Writes every entity matching the list filter as CSV (header row, list order, last_updated as UTC ISO-8601, total
-- as an exact decimal with its currency beside it) to $path, streamed by DuckDB. Returns the number of rows
-- written. Parameters: the entity_filter arguments.
-- @param integration integer = 1
-- @param type varchar = 'order'
-- @param statuses varchar[] = ['error', 'pending']
-- @param q varchar = '#100'
-- @param updated_from timestamptz = '2026-11-20 00:00:00+00'
-- @param updated_to timestamptz = null
-- @param error_group varchar = null
-- @param path varchar = '/tmp/junipeer_export_example.csv'
-- @ident order_by = last_updated
-- @ident direction = desc
copy (
    select
        status,
        retriever_ref,
        storer_ref,
        children,
        total,
        currency,
        strftime(last_updated at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') as last_updated,
        error_code,
        error_message,
        id
    from {{filter}}($integration, $type::varchar, $statuses::varchar[], $q::varchar,
        $updated_from::timestamptz, $updated_to::timestamptz, $error_group::varchar)
    order by match_rank, {{order_by}} {{direction}}, id
) to $path (format csv, header);
