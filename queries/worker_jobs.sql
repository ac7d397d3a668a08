-- Returns what a handler needs for each given retry request: the record, its storer platform, its current error
-- (with error_codes.transient) and the request's attempt number. The last request payload comes from
-- entity_last_request_payload.sql: as a correlated subquery here it was planned as a join over every transaction.
-- @param request_ids bigint[] = [1]
select
    r.id as request_id, e.id as entity_id, e.integration_id, e.type, e.retriever_ref, e.storer_ref, i.storer,
    r.requested_by as actor, e.error_code, e.error_message, c.transient, coalesce(r.attempt, 1) as attempt
from retry_requests r
join entities e on e.id = r.entity_id
join integrations i on i.id = e.integration_id
left join error_codes c on c.code = e.error_code
where r.id in (select unnest($request_ids))
order by r.id;
