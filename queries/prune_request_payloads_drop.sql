-- Empties the request payload of expired successful transactions of entities in [lo, hi] (one step of a
-- pruner batch, after the delete); returns how many transactions it touched. One payload
-- column per statement: the checkpoint after it rewrites that column of the batch's row group, half the work.
-- @param now timestamptz = '2026-11-10 00:00:00+00'
-- @param default_keep_days integer = 90
-- @param default_payload_days integer = 30
-- @param lo bigint = 0
-- @param hi bigint = 1000
update transactions set request_payload = null
where rowid in (select row_id from prune_candidates($now, $default_keep_days, $default_payload_days, $lo, $hi)
                where payload_expired and not expired);
