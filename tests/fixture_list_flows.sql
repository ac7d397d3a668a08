-- Enables the stock flow of integration 1, which has no stock records: the "nothing synced yet" state.
update flows set enabled = true, last_synced_at = '2026-11-26 11:59:00+00' where integration_id = 1 and type = 'stock';
