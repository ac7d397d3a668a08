-- Extra rows for the API tests: an entity with an 18-digit id whose payloads hold an 18-digit number, a decimal
-- with trailing zeros and odd spacing, which the API must return exactly as stored.
insert into entities (id, integration_id, type, status, retriever_ref, storer_ref, children, created_at, last_updated, error_code,
                      error_message) values
    (900000000000000001, 2, 'order', 'error', 'wc-900', null, 0, '2026-11-26 07:00:00+00',
     '2026-11-26 07:00:00+00', 'RATE_LIMITED', 'Rate limit exceeded');
insert into transactions values
    (900000000000000002, 900000000000000001, '2026-11-26 07:00:00+00', 'create', 'error', 'RATE_LIMITED',
     'Rate limit exceeded', '{"order":  {"id": 123456789012345678, "total": 12.50, "note": "<b>x</b>"}}',
     '{"id":987654321098765432}', 80, 'sync-engine');
