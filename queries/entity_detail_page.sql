-- Returns what the detail page's head shows of one entity in one query (one row or none): entity_detail's columns,
-- its open retry request (request_id, request_state, requested_at, requested_by; null when none) and, while the
-- auto-retry policy has given up on it (in error and not updated since), when, after how many attempts and why
-- (gave_up_*; null otherwise).
-- @param entity_id bigint = 2
select
    e.id, e.integration_id, i.name as integration, i.retriever, i.storer, e.type, e.status,
    e.retriever_ref, e.storer_ref, e.children, e.created_at, e.last_updated, e.error_code, e.error_message,
    e.total, e.currency,
    c.severity, c.transient, c.title as error_title, c.cause as error_cause, c.fix as error_fix,
    r.id as request_id, r.state as request_state, r.requested_at, r.requested_by,
    g.occurred_at as gave_up_at, g.attempts as gave_up_attempts, g.error_code as gave_up_code,
    g.message as gave_up_message
from entities e
join integrations i on i.id = e.integration_id
left join error_codes c on c.code = e.error_code
left join retry_requests r on r.open_entity_id = e.id
left join (
    select entity_id, occurred_at, attempts, error_code, message
    from retry_gave_up_events
    where entity_id = $entity_id
    order by occurred_at desc, id desc
    limit 1
) as g on g.entity_id = e.id and e.status = 'error' and g.occurred_at >= e.last_updated
where e.id = $entity_id
order by e.id;
