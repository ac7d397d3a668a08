-- 100,000 extra orders for integration 2 (ids 100000..199999), for the large CSV export test.
insert into entities (id, integration_id, type, status, retriever_ref, storer_ref, children, created_at, last_updated, error_code,
                      error_message)
select
    100000 + i,
    2,
    'order',
    case i % 10 when 0 then 'error' when 1 then 'pending' else 'synced' end,
    'wc-bulk-' || i,
    case when i % 10 in (0, 1) then null else 'F-' || (700000 + i) end,
    i % 7,
    timestamptz '2026-10-01 00:00:00+00' + to_seconds(i * 60),
    timestamptz '2026-10-01 00:00:00+00' + to_seconds(i * 60 + 30),
    case when i % 10 = 0 then 'TIMEOUT' end,
    case when i % 10 = 0 then 'Request "' || i || '" timed out, after 30 s' end
from range(100000) t(i);
