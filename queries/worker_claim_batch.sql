-- Claims due queued retry requests (marks them running, counts the claim); returns their ids. At most
-- $slots[i] for integration $integration_ids[i] (integrations not listed get none) and $total in all, oldest due
-- first; a request waiting for its backoff (not_before) is due from then on.
-- @param integration_ids integer[] = [1, 2]
-- @param slots integer[] = [2, 1]
-- @param total integer = 8
-- @param now timestamptz = '2026-11-26 12:00:00+00'
update retry_requests
set state = 'running', claims = coalesce(claims, 0) + 1, claimed_at = now()
where state = 'queued' and id in (
    select ranked.id
    from (
        select r.id, coalesce(r.not_before, r.requested_at) as due_at, s.n,
            row_number() over (partition by e.integration_id order by coalesce(r.not_before, r.requested_at), r.id)
                as k
        from retry_requests as r
        join entities as e on e.id = r.entity_id
        join (select unnest($integration_ids) as integration_id, unnest($slots) as n) as s
            on s.integration_id = e.integration_id
        where r.state = 'queued' and (r.not_before is null or r.not_before <= $now)
    ) as ranked
    where ranked.k <= ranked.n
    order by ranked.due_at, ranked.id
    limit $total
)
returning id;
