-- Returns the newest $limit alert events (all rules, or only $rule_id), each with its deliveries as text per
-- channel ("ops webhook: sent after 1 attempt"), newest first.
-- @param rule_id bigint = null
-- @param limit integer = 100
with events as (
    select *
    from alert_events
    where $rule_id is null or rule_id = $rule_id
    order by occurred_at desc, id desc
    limit $limit
),
deliveries as (
    select
        d.event_id,
        string_agg(
            d.channel_name || ': ' || d.status
            || case when d.attempts > 0
                then ' after ' || d.attempts || ' attempt' || case when d.attempts > 1 then 's' else '' end
                else '' end
            || case when d.status <> 'sent' and d.last_error is not null then ' (' || d.last_error || ')' else '' end,
            '; ' order by d.channel_name) as deliveries
    from alert_deliveries as d
    where d.event_id in (select id from events)
    group by d.event_id
)
select
    e.id,
    e.occurred_at,
    e.rule_id,
    e.rule_name,
    e.event,
    e.value,
    e.threshold,
    e.scope,
    e.link,
    e.notified,
    coalesce(d.deliveries, case when e.notified then 'no channels' else 'snoozed: not sent' end) as deliveries
from events as e
left join deliveries as d on d.event_id = e.id
order by e.occurred_at desc, e.id desc;
