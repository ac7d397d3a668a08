-- Returns the running retry requests claimed before $before (id, entity_id, claims): ones a stopped or stuck
-- worker left behind. The caller skips those still in its own hands.
-- @param before timestamptz = '2026-11-26 12:00:00+00'
select id, entity_id, coalesce(claims, 0) as claims
from retry_requests
where state = 'running' and coalesce(claimed_at, requested_at) < $before
order by id;
