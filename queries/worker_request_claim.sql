-- Claims the oldest due queued retry request (marks it running, counts the claim); returns its id, or no row
-- when nothing is due. A request waiting for its backoff (not_before) is due from then on.
-- @param now timestamptz = '2026-11-26 12:00:00+00'
update retry_requests
set state = 'running', claims = coalesce(claims, 0) + 1, claimed_at = now()
where state = 'queued'
  and id = (select id from retry_requests
            where state = 'queued' and (not_before is null or not_before <= $now)
            order by coalesce(not_before, requested_at), id limit 1)
returning id;
