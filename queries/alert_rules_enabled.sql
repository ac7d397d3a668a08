-- Returns the enabled alert rules the evaluator checks, with their integration's name and current state
-- (ok and no since when never evaluated), by id.
-- (no parameters)
select
    r.id,
    r.name,
    r.kind,
    r.integration_id,
    i.name as integration,
    r.type,
    r.error_group,
    r.window_minutes,
    r.min_volume,
    r.age_minutes,
    r.threshold,
    r.recovery_threshold,
    r.pending_seconds,
    r.snoozed_until,
    coalesce(s.state, 'ok') as state,
    s.since
from alert_rules as r
left join integrations as i on i.id = r.integration_id
left join alert_states as s on s.rule_id = r.id
where r.enabled
order by r.id;
