-- Inserts (or replaces) the demo flows: which types each integration syncs, so some integrations lack tabs.
-- Enabled flows were last synced a few minutes before the anchor. Returns the row count.
-- @param anchor timestamptz = '2026-11-26 12:00:00+00'
insert or replace into flows (integration_id, type, enabled, last_synced_at)
select integration_id, type, enabled,
    case when enabled then $anchor - to_minutes(minutes_ago) end
from (values
    (1, 'article', true, 4), (1, 'customer', true, 2), (1, 'order', true, 1), (1, 'stock', true, 6),
    (2, 'article', true, 12), (2, 'customer', true, 9), (2, 'order', true, 3), (2, 'stock', false, 0),
    (3, 'article', true, 7), (3, 'customer', true, 7), (3, 'order', true, 2), (3, 'stock', true, 15),
    (4, 'article', false, 0), (4, 'customer', true, 5), (4, 'order', true, 5), (4, 'stock', false, 0),
    (5, 'article', true, 3), (5, 'customer', true, 3), (5, 'order', true, 1), (5, 'stock', true, 8),
    (6, 'article', true, 20), (6, 'customer', true, 11), (6, 'order', true, 4), (6, 'stock', false, 0),
    (7, 'article', true, 6), (7, 'customer', false, 0), (7, 'order', true, 2), (7, 'stock', true, 10),
    (8, 'article', true, 9), (8, 'customer', true, 9), (8, 'order', true, 3), (8, 'stock', true, 30)
) f(integration_id, type, enabled, minutes_ago)
order by integration_id, type;
