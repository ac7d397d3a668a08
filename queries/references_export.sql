-- Writes the references view of an integration (filters as in references_page.sql, every row) as CSV with a
-- header to the file $path: entity id, type, both references, status, last_updated (UTC, ISO 8601), shared_by.
-- @param integration integer = 2
-- @param type varchar = null
-- @param q varchar = null
-- @param problem varchar = 'all'
-- @param path varchar = '/tmp/references_export_example.csv'
copy (
    with shared as (
        select type, storer_ref, count(*) as shared_by
        from entities
        where integration_id = $integration and storer_ref is not null
        group by all
        having count(*) > 1
    )
    select
        e.id as entity_id,
        e.type,
        e.retriever_ref,
        e.storer_ref,
        e.status,
        strftime(timezone('UTC', e.last_updated), '%Y-%m-%dT%H:%M:%SZ') as last_updated_utc,
        coalesce(s.shared_by, case when e.storer_ref is null then 0 else 1 end) as shared_by
    from entities as e
    left join shared as s on s.type = e.type and s.storer_ref = e.storer_ref
    where e.integration_id = $integration
        and ($type is null or e.type = $type)
        and (
            coalesce($q, '') = ''
            or contains(lower(e.retriever_ref), lower($q))
            or contains(lower(coalesce(e.storer_ref, '')), lower($q))
        )
        and (
            $problem = 'all'
            or ($problem = 'unmapped' and e.storer_ref is null)
            or ($problem = 'conflict' and s.shared_by is not null)
        )
    order by e.type, case when $problem = 'conflict' then e.storer_ref end, e.retriever_ref, e.id
) to $path (format csv, header);
