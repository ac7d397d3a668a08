-- Deletes the expired transactions of entities in [lo, hi] (one batch of the pruner); returns the count.
-- @param now timestamptz = '2026-11-10 00:00:00+00'
-- @param default_keep_days integer = 90
-- @param default_payload_days integer = 30
-- @param lo bigint = 0
-- @param hi bigint = 1000
delete from transactions
where rowid in (select row_id from prune_candidates($now, $default_keep_days, $default_payload_days, $lo, $hi)
                where expired);
