-- Returns how many retry requests are queued and due at $now (not waiting for a backoff).
-- @param now timestamptz = '2026-11-26 12:00:00+00'
select count(*)
from retry_requests
where state = 'queued' and (not_before is null or not_before <= $now);
