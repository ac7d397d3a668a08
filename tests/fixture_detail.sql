-- Extra rows for detail-page tests: a >1 MB request payload on article 20 (the newest of its transactions).
insert into transactions values
    (100, 20, '2026-11-26 11:00:00+00', 'update', 'success', null, 'Updated catalogue',
     '{"catalogue": "' || repeat('x', 1200000) || '"}', '{"ok": true}', 900, 'sync-engine');
