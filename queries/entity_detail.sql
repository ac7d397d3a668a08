-- Returns one entity (with its total and currency, null when not given) with its integration's platforms and its
-- current error code's details (one row or none).
-- @param entity_id bigint = 2
select
    e.id, e.integration_id, i.name as integration, i.retriever, i.storer, e.type, e.status,
    e.retriever_ref, e.storer_ref, e.children, e.created_at, e.last_updated, e.error_code, e.error_message,
    e.total, e.currency,
    c.severity, c.transient, c.title as error_title, c.cause as error_cause, c.fix as error_fix
from entities e
join integrations i on i.id = e.integration_id
left join error_codes c on c.code = e.error_code
where e.id = $entity_id
order by e.id;
