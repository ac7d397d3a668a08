-- Extra rows for detail-page tests: a >1 MB request payload on article 20 (the newest of its transactions).
insert into transactions values
    (100, 20, '2026-11-26 11:00:00+00', 'update', 'success', null, 'Updated catalogue',
     '{"catalogue": "' || repeat('x', 1200000) || '"}', '{"ok": true}', 900, 'sync-engine');

-- 60 more transactions on order 1, so its history spans three pages of 25.
insert into transactions
select 1000 + i, 1, timestamptz '2026-11-21 00:00:00+00' + i * interval 1 hour, 'update',
       case when i % 10 = 0 then 'error' else 'success' end, case when i % 10 = 0 then 'TIMEOUT' end,
       'Bulk update ' || i, '{"n": ' || i || '}', '{}', 100 + i, 'sync-engine'
from range(60) t(i);
