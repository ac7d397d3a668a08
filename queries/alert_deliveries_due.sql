-- Returns the queued deliveries due at $now (oldest first, at most $limit) with their event and channel settings.
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param limit integer = 50
select
    d.id,
    d.attempts,
    d.channel_name,
    c.kind,
    c.url,
    c.secret,
    c.body_format,
    c.recipients,
    e.id as event_id,
    e.rule_id,
    e.rule_name,
    e.event,
    e.occurred_at,
    e.value,
    e.threshold,
    e.scope,
    e.link,
    r.kind as rule_kind,
    r.recovery_threshold
from alert_deliveries as d
join alert_events as e on e.id = d.event_id
join alert_channels as c on c.id = d.channel_id
left join alert_rules as r on r.id = e.rule_id
where d.status = 'queued' and d.next_attempt_at <= $now
order by d.next_attempt_at, d.id
limit $limit;
