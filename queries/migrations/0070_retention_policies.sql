-- Per-integration retention overrides; a missing row or a null column means the configured default
-- (ENTITIES_RETAIN_DAYS, ENTITIES_RETAIN_PAYLOAD_DAYS). See entities/retention.py.
create table if not exists retention_policies (
    integration_id integer primary key,
    keep_days integer check (keep_days >= 1),
    payload_days integer check (payload_days >= 0)
);

-- prune_candidates(now, default keep days, default payload days, first entity id, last entity id): the
-- transactions of entities in [p_lo, p_hi] that retention may touch, with expired (delete the row) and
-- payload_expired (drop its payloads). Never listed: each record's last successful and last failed transaction
-- and any transaction an open retry request points at. The one definition prune_plan and the batched writes share.
create or replace macro prune_candidates(p_now, p_keep, p_payload, p_lo, p_hi) as table
with policy as (
    select i.id as integration_id,
           coalesce(r.keep_days, p_keep) as keep_days,
           coalesce(r.payload_days, p_payload) as payload_days
    from integrations i
    left join retention_policies r on r.integration_id = i.id
),
ranked as (
    select t.rowid as row_id, t.id, t.entity_id, t.occurred_at, t.outcome, e.integration_id,
           coalesce(length(t.request_payload), 0) + coalesce(length(t.response_payload), 0) as bytes,
           t.request_payload is not null or t.response_payload is not null as has_payload,
           row_number() over (partition by t.entity_id, t.outcome order by t.occurred_at desc, t.id desc) as recency
    from transactions t
    join entities e on e.id = t.entity_id
    where t.entity_id between p_lo and p_hi
)
select r.row_id, r.entity_id, r.integration_id, r.bytes,
       r.occurred_at < p_now - to_days(p.keep_days) as expired,
       r.outcome = 'success' and r.has_payload and r.occurred_at < p_now - to_days(p.payload_days) as payload_expired
from ranked r
join policy p using (integration_id)
where not (r.recency = 1 and r.outcome in ('success', 'error'))
  and r.id not in (select transaction_id from retry_requests
                   where state in ('queued', 'running') and transaction_id is not null);
