-- Returns (integration_id, type, last_success_at) for each flow with a successful sync in ($since, $now]: a success
-- transaction, or the last update of a record that is synced now. The alert evaluator keeps flow_freshness.sql's
-- 7-day history for a while and tops up each flow's last success with this; only records updated after $since can
-- have a transaction after it (last_updated is a record's latest sync), so this reads few rows.
-- @param since timestamptz = '2026-11-26 11:00:00+00'
-- @param now timestamptz = '2026-11-26 12:00:00+00'
with touched as (
    select id, integration_id, type
    from entities
    where last_updated > $since
),
successes as (
    select e.integration_id, e.type, max(t.occurred_at) as last_at
    from transactions as t
    join touched as e on e.id = t.entity_id
    where t.outcome = 'success' and t.occurred_at > $since and t.occurred_at <= $now
    group by all
    union all
    select integration_id, type, max(last_updated) as last_at
    from entities
    where status = 'synced' and last_updated > $since and last_updated <= $now
    group by all
)
select integration_id, type, max(last_at) as last_success_at
from successes
group by all
order by integration_id, type;
