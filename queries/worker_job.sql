-- Returns what a handler needs for one retry request: the record, its storer platform, its current error
-- (with error_codes.transient) and the last request payload sent for it.
-- @param request_id bigint = 1
select
    r.id as request_id, e.id as entity_id, e.integration_id, e.type, e.retriever_ref, e.storer_ref, i.storer,
    r.requested_by as actor, e.error_code, e.error_message, c.transient,
    (select t.request_payload
     from transactions t
     where t.entity_id = e.id and t.request_payload is not null
     order by t.occurred_at desc, t.id desc
     limit 1) as last_request_payload
from retry_requests r
join entities e on e.id = r.entity_id
join integrations i on i.id = e.integration_id
left join error_codes c on c.code = e.error_code
where r.id = $request_id
order by r.id;
