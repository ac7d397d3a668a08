-- Returns the number of retry requests matching the audit filters (same meaning as in audit_page.sql).
-- @param requester varchar = null
-- @param state varchar = 'failed'
-- @param requested_from timestamptz = null
-- @param requested_to timestamptz = '2026-11-27 00:00:00+00'
select count(*) as requests
from retry_requests as r
where ($requester is null or r.requested_by = $requester)
    and ($state is null or r.state = $state)
    and ($requested_from is null or r.requested_at >= $requested_from)
    and ($requested_to is null or r.requested_at < $requested_to);
