-- Returns one page of the retry audit trail, newest first: each retry request with who asked and when, their
-- subject and kind (user, token, local, policy; empty for requests older than sign-in), its state and finish
-- time, the record (id, integration, type, references) and the outcome of the transaction it produced
-- (outcome, error code, message). Filters: $requester, $state (null = any) and requested_at in
-- [$requested_from, $requested_to) (null = open). The page is cut before the joins, so they touch 50 rows.
-- @param requester varchar = 'anna.karlsson@nordicoutdoor.se'
-- @param state varchar = null
-- @param requested_from timestamptz = '2026-11-01 00:00:00+00'
-- @param requested_to timestamptz = null
-- @param page_size integer = 50
-- @param page_offset integer = 0
with page as (
    select *
    from retry_requests as r
    where ($requester is null or r.requested_by = $requester)
        and ($state is null or r.state = $state)
        and ($requested_from is null or r.requested_at >= $requested_from)
        and ($requested_to is null or r.requested_at < $requested_to)
    order by r.requested_at desc, r.id desc
    limit $page_size offset $page_offset
)
select
    p.id as request_id,
    p.requested_at,
    p.requested_by,
    p.state,
    p.finished_at,
    p.entity_id,
    i.name as integration,
    e.type,
    e.retriever_ref,
    e.storer_ref,
    t.outcome,
    t.error_code,
    t.message,
    coalesce(a.actor_subject, '') as requested_by_subject,
    coalesce(a.actor_kind, '') as requested_by_kind
from page as p
left join entities as e on e.id = p.entity_id
left join integrations as i on i.id = e.integration_id
left join transactions as t on t.id = p.transaction_id
left join retry_request_actors as a on a.request_id = p.id
order by p.requested_at desc, p.id desc;
