-- Returns, per integration, what retention would remove now (prune_candidates over every entity): its policy,
-- the transactions to delete, the successful transactions whose payloads would be dropped, and the payload bytes.
-- @param now timestamptz = '2026-11-10 00:00:00+00'
-- @param default_keep_days integer = 90
-- @param default_payload_days integer = 30
with candidates as (
    select * from prune_candidates($now, $default_keep_days, $default_payload_days, 0, 9223372036854775807)
    where expired or payload_expired
)
select i.id as integration_id, i.name,
       coalesce(r.keep_days, $default_keep_days) as keep_days,
       coalesce(r.payload_days, $default_payload_days) as payload_days,
       count(c.row_id) filter (where c.expired) as transactions,
       count(c.row_id) filter (where c.payload_expired and not c.expired) as payloads,
       coalesce(sum(c.bytes), 0) as payload_bytes
from integrations i
left join retention_policies r on r.integration_id = i.id
left join candidates c on c.integration_id = i.id
group by all
order by i.id;
