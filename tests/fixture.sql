-- A small literal database for query and page tests. Times are fixed; "now" in tests is 2026-11-26 12:00 UTC.
insert into integrations values
    (1, 'Nordic Outdoor', 'Shopify', 'Fortnox'),
    (2, 'Hem & Trädgård', 'WooCommerce', 'Visma eEkonomi'),
    (3, 'Baltic Parts', 'Magento', 'Microsoft Dynamics 365 Business Central');

insert into flows values
    (1, 'article', true, '2026-11-26 11:50:00+00'),
    (1, 'customer', true, '2026-11-26 11:50:00+00'),
    (1, 'order', true, '2026-11-26 11:55:00+00'),
    (1, 'stock', false, null),
    (2, 'customer', true, '2026-11-26 10:00:00+00'),
    (2, 'order', true, '2026-11-26 10:00:00+00'),
    (3, 'article', false, null);

delete from error_codes;  -- the default catalogue (migration 0062): this fixture keeps its own five codes
insert into error_codes values
    ('RATE_LIMITED', 'low', true, 'Rate limit exceeded', 'The storer answered 429 Too Many Requests.', 'None needed: a retry succeeds once the window has passed.'),
    ('TIMEOUT', 'medium', true, 'Request timed out', 'The storer did not answer within 30 s.', 'Retry; if it persists, check the storer''s status page.'),
    ('ARTICLE_NOT_FOUND', 'high', false, 'Article missing in ERP', 'An order line refers to an article number that does not exist in the ERP.', 'Create the article in the ERP or sync the article first, then retry.'),
    ('INVOICE_ALREADY_BOOKED', 'critical', false, 'Invoice already booked', 'The invoice is booked and can no longer be changed.', 'Create a credit note in the ERP; do not retry.'),
    ('CUSTOMER_EMAIL_MISSING', 'medium', false, 'Customer without email', 'The ERP requires an email address on customers.', 'Add an email to the customer in the web shop, then retry.');

insert into entities (id, integration_id, type, status, retriever_ref, storer_ref, children, created_at, last_updated, error_code,
                      error_message) values
    (1, 1, 'order', 'synced', '#1001', 'F-5001', 2, '2026-11-20 08:00:00+00', '2026-11-20 08:05:00+00', null, null),
    (2, 1, 'order', 'error', '#1002', null, 3, '2026-11-25 09:00:00+00', '2026-11-26 09:30:00+00', 'ARTICLE_NOT_FOUND', 'Article ''SKU-1234'' not found in Fortnox'),
    (3, 1, 'order', 'pending', '#1003', null, 1, '2026-11-26 11:00:00+00', '2026-11-26 11:00:00+00', null, null),
    (4, 1, 'order', 'error', '#1004', 'F-5004', 1, '2026-11-24 10:00:00+00', '2026-11-26 10:15:00+00', 'RATE_LIMITED', 'Rate limit exceeded: 429 Too Many Requests (retry after 12 s)'),
    (5, 1, 'order', 'synced', '#10010', 'F-5010', 1, '2026-11-21 12:00:00+00', '2026-11-22 12:00:00+00', null, null),
    (6, 1, 'order', 'error', '#1006', null, 2, '2026-11-25 09:00:00+00', '2026-11-26 08:00:00+00', 'ARTICLE_NOT_FOUND', 'Article ''SKU-98'' not found in Fortnox'),
    (7, 1, 'order', 'synced', '100%_off\quote''s', 'F-5007', 0, '2026-11-19 10:00:00+00', '2026-11-19 10:01:00+00', null, null),
    (8, 1, 'order', 'synced', 'ÅÄÖ-ørder-ünïcode', 'F-5008', 0, '2026-11-18 10:00:00+00', '2026-11-18 10:01:00+00', null, null),
    (20, 1, 'article', 'synced', 'SKU-1234', 'ART-1234', 0, '2026-10-01 10:00:00+00', '2026-11-01 10:00:00+00', null, null),
    (21, 1, 'article', 'error', 'SKU-98', null, 0, '2026-11-25 10:00:00+00', '2026-11-25 10:00:00+00', 'INVOICE_ALREADY_BOOKED', 'Invoice F-5001 is already booked'),
    (30, 1, 'customer', 'synced', 'C-1001', '1001', 0, '2026-09-01 10:00:00+00', '2026-11-20 07:59:00+00', null, null),
    (31, 1, 'customer', 'pending', 'C-1002', null, 0, '2026-11-26 11:58:00+00', '2026-11-26 11:58:00+00', null, null),
    (40, 2, 'order', 'synced', 'wc-500', 'F-5001', 1, '2026-11-10 10:00:00+00', '2026-11-10 10:00:00+00', null, null),
    (41, 2, 'order', 'synced', 'wc-501', 'F-5001', 1, '2026-11-11 10:00:00+00', '2026-11-11 10:00:00+00', null, null),
    (42, 2, 'customer', 'error', 'wc-c-77', null, 0, '2026-11-26 06:00:00+00', '2026-11-26 06:00:00+00', 'CUSTOMER_EMAIL_MISSING', 'Customer wc-c-77 has no email address');

-- Order totals with their currency (migration 0064): #1001's lines add up to it; #1004 is in EUR; the others
-- came from an export without totals.
update entities set total = 4097.00, currency = 'SEK' where id = 1;
update entities set total = 3647.00, currency = 'SEK' where id = 2;
update entities set total = 104.70, currency = 'EUR' where id = 4;

insert into children (entity_id, line_no, retriever_ref, storer_ref, description, quantity, amount, status,
                      error_message) values
    (1, 1, 'SKU-1234', 'ART-1234', 'Tent 2P green', 1, 2499.00, 'synced', null),
    (1, 2, 'SKU-2000', 'ART-2000', 'Sleeping bag', 2, 1598.00, 'synced', null),
    (2, 1, 'SKU-2000', 'ART-2000', 'Sleeping bag', 1, 799.00, 'synced', null),
    (2, 2, 'SKU-1234', null, 'Tent 2P green', 1, 2499.00, 'error', 'Article ''SKU-1234'' not found in Fortnox'),
    (2, 3, 'SKU-3000', 'ART-3000', 'Head torch', 1, 349.00, 'synced', null),
    (3, 1, 'SKU-2000', null, 'Sleeping bag', 1, 799.00, 'pending', null),
    (4, 1, 'SKU-3000', 'ART-3000', 'Head torch', 3, 1047.00, 'synced', null),
    (5, 1, 'SKU-3000', 'ART-3000', 'Head torch', 1, 349.00, 'synced', null),
    (6, 1, 'SKU-98', null, 'Gas canister', 1, 59.00, 'error', 'Article ''SKU-98'' not found in Fortnox'),
    (6, 2, 'SKU-2000', 'ART-2000', 'Sleeping bag', 1, 799.00, 'synced', null),
    (40, 1, 'SKU-77', 'A77', 'Garden hose', 1, 299.00, 'synced', null),
    (41, 1, 'SKU-77', 'A77', 'Garden hose', 1, 299.00, 'synced', null);

insert into transactions values
    (1, 1, '2026-11-20 08:00:00+00', 'create', 'success', null, 'Created invoice F-5001', '{"order": {"number": "#1001", "total": 4097.0, "currency": "SEK"}}', '{"Invoice": {"DocumentNumber": "F-5001"}}', 420, 'sync-engine'),
    (2, 1, '2026-11-20 08:05:00+00', 'update', 'success', null, 'Updated invoice F-5001', '{"order": {"number": "#1001", "total": 4097.0, "currency": "SEK", "note": "gift"}}', '{"Invoice": {"DocumentNumber": "F-5001"}}', 380, 'sync-engine'),
    (3, 2, '2026-11-25 09:00:00+00', 'create', 'success', null, 'Created order', '{"order": {"number": "#1002", "lines": [{"sku": "SKU-2000", "qty": 1}], "total": 799.0}}', '{"Order": {"DocumentNumber": "O-77"}}', 512, 'sync-engine'),
    (4, 2, '2026-11-26 09:00:00+00', 'update', 'error', 'ARTICLE_NOT_FOUND', 'Article ''SKU-1234'' not found in Fortnox', '{"order": {"number": "#1002", "lines": [{"sku": "SKU-2000", "qty": 1}, {"sku": "SKU-1234", "qty": 1}], "total": 3298.0, "vat": 25}}', '{"ErrorInformation": {"error": 1, "message": "Article SKU-1234 not found", "code": 2000428}}', 233, 'sync-engine'),
    (5, 2, '2026-11-26 09:30:00+00', 'retry', 'error', 'ARTICLE_NOT_FOUND', 'Article ''SKU-1234'' not found in Fortnox', '{"order": {"number": "#1002"', '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>', 30001, 'anna.karlsson@nordicoutdoor.se'),
    (6, 3, '2026-11-26 11:00:00+00', 'create', 'pending', null, 'Queued', '{"order": {"number": "#1003"}}', null, 0, 'sync-engine'),
    (7, 4, '2026-11-24 10:00:00+00', 'create', 'success', null, 'Created invoice F-5004', '{"order": {"number": "#1004"}}', '{"Invoice": {"DocumentNumber": "F-5004"}}', 300, 'sync-engine'),
    (8, 4, '2026-11-26 10:15:00+00', 'update', 'error', 'RATE_LIMITED', 'Rate limit exceeded: 429 Too Many Requests (retry after 12 s)', '{"order": {"number": "#1004", "total": 1047.0}}', '{"message": "Too Many Requests"}', 95, 'sync-engine'),
    (9, 5, '2026-11-22 12:00:00+00', 'create', 'success', null, 'Created invoice F-5010', '{"order": {"number": "#10010"}}', '{"Invoice": {"DocumentNumber": "F-5010"}}', 250, 'sync-engine'),
    (10, 6, '2026-11-26 08:00:00+00', 'create', 'error', 'ARTICLE_NOT_FOUND', 'Article ''SKU-98'' not found in Fortnox', '{"order": {"number": "#1006"}}', '{"ErrorInformation": {"error": 1, "message": "Article SKU-98 not found"}}', 190, 'sync-engine'),
    (11, 7, '2026-11-19 10:01:00+00', 'create', 'success', null, 'Created', '{}', '{}', 100, 'sync-engine'),
    (12, 8, '2026-11-18 10:01:00+00', 'create', 'success', null, 'Created', '{}', '{}', 100, 'sync-engine'),
    (13, 20, '2026-11-01 10:00:00+00', 'create', 'success', null, 'Created article ART-1234', '{"article": {"sku": "SKU-1234", "price": 2499.0, "vat": 25}}', '{"Article": {"ArticleNumber": "ART-1234"}}', 150, 'sync-engine'),
    (14, 21, '2026-11-25 10:00:00+00', 'create', 'error', 'INVOICE_ALREADY_BOOKED', 'Invoice F-5001 is already booked', '{"article": {"sku": "SKU-98"}}', '{"ErrorInformation": {"error": 1, "code": 2000359}}', 170, 'sync-engine'),
    (15, 30, '2026-11-20 07:59:00+00', 'create', 'success', null, 'Created customer 1001', '{"customer": {"number": "C-1001", "email": "a@example.com"}}', '{"Customer": {"CustomerNumber": "1001"}}', 210, 'sync-engine'),
    (16, 31, '2026-11-26 11:58:00+00', 'create', 'pending', null, 'Queued', '{"customer": {"number": "C-1002"}}', null, 0, 'sync-engine'),
    (17, 40, '2026-11-10 10:00:00+00', 'create', 'success', null, 'Created', '{"order": {"id": "wc-500"}}', '{"Invoice": {"DocumentNumber": "F-5001"}}', 200, 'sync-engine'),
    (18, 41, '2026-11-11 10:00:00+00', 'create', 'success', null, 'Created', '{"order": {"id": "wc-501"}}', '{"Invoice": {"DocumentNumber": "F-5001"}}', 200, 'sync-engine'),
    (19, 42, '2026-11-26 06:00:00+00', 'create', 'error', 'CUSTOMER_EMAIL_MISSING', 'Customer wc-c-77 has no email address', '{"customer": {"id": "wc-c-77"}}', '{"error": "email required"}', 120, 'sync-engine');

insert into retry_requests (id, entity_id, open_entity_id, requested_at, requested_by, state, finished_at,
                            transaction_id) values
    (1, 2, null, '2026-11-26 09:29:00+00', 'anna.karlsson@nordicoutdoor.se', 'failed', '2026-11-26 09:30:00+00', 5);
