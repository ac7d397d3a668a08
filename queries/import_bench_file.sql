-- Writes $n clean, platform-shaped entity rows for integrations 1 and 2 as JSON lines to $path (the import speed
-- measurement in docs/IMPORT.md). Deterministic: row i always gives the same record.
-- @param n bigint = 10
-- @param path varchar = '/dev/null'
copy (
    select 1 + i % 2 as integration_id,
        ['article', 'customer', 'order', 'stock'][1 + (i // 2) % 4] as type,
        case when i % 17 = 0 then 'error' when i % 29 = 0 then 'pending' else 'synced' end as status,
        format('#{}', 100000 + i) as retriever_ref,
        case when i % 17 <> 0 then format('F-{}', 500000 + i) end as storer_ref,
        (i % 5)::integer as children,
        strftime(timestamptz '2026-01-01 00:00:00+00' + to_seconds(i * 7), '%Y-%m-%dT%H:%M:%SZ') as created_at,
        strftime(timestamptz '2026-01-01 00:05:00+00' + to_seconds(i * 7), '%Y-%m-%dT%H:%M:%SZ') as last_updated,
        case when i % 17 = 0 then 'TIMEOUT' end as error_code,
        case when i % 17 = 0 then 'Request timed out after 30 s' end as error_message
    from range($n) t(i)
    order by i
) to $path (format json)
