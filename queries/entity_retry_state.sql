-- Returns one entity's retry state for the detail page: its open request (id, state, attempt, not_before,
-- requested_by; null when none) and, while the auto-retry policy has given up on it (in error and not updated
-- since), when, after how many attempts and why (gave_up_*; null otherwise).
-- @param entity_id bigint = 2
select
    e.id as entity_id, e.integration_id, r.id as request_id, r.state as request_state, coalesce(r.attempt, 1) as attempt,
    r.not_before, r.requested_by,
    g.occurred_at as gave_up_at, g.attempts as gave_up_attempts, g.error_code as gave_up_code,
    g.message as gave_up_message
from entities as e
left join retry_requests as r on r.open_entity_id = e.id
left join (
    select entity_id, occurred_at, attempts, error_code, message
    from retry_gave_up_events
    where entity_id = $entity_id
    order by occurred_at desc, id desc
    limit 1
) as g on g.entity_id = e.id and e.status = 'error' and g.occurred_at >= e.last_updated
where e.id = $entity_id
order by e.id;
