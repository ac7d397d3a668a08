-- Writes every row of reference_rows() (filters as in references_page.sql) as CSV with a header to the file
-- $path: entity id, type, both references, status, last_updated (UTC, ISO 8601), shared_by.
-- @param integration integer = 2
-- @param type varchar = null
-- @param q varchar = null
-- @param problem varchar = 'all'
-- @param path varchar = '/tmp/references_export_example.csv'
copy (
    select
        entity_id,
        type,
        retriever_ref,
        storer_ref,
        status,
        strftime(timezone('UTC', last_updated), '%Y-%m-%dT%H:%M:%SZ') as last_updated_utc,
        shared_by
    from reference_rows($integration, $type, $q, $problem)
    order by type, case when $problem = 'conflict' then storer_ref end, retriever_ref, entity_id
) to $path (format csv, header);
