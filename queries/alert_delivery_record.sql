-- Records one delivery attempt: status sent, queued again at $next_attempt_at, or failed (gave up), with the
-- error; returns its id.
-- @param id bigint = 1
-- @param status varchar = 'queued'
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param next_attempt_at timestamptz = '2026-11-26 12:00:30+00'
-- @param error varchar = 'connection refused'
update alert_deliveries
set status = $status,
    attempts = attempts + 1,
    next_attempt_at = $next_attempt_at,
    sent_at = case when $status = 'sent' then $now end,
    last_error = $error
where id = $id
returning id;
