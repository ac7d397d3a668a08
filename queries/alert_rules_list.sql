-- Returns every alert rule with its integration's name, channel ids and names (ordered by name), and its state
-- (ok when never evaluated), value, since and last evaluation; firing first, then pending, then by name.
-- (no parameters)
select
    r.*,
    i.name as integration,
    coalesce(s.state, 'ok') as state,
    s.since,
    s.value,
    s.evaluated_at,
    coalesce((select list(c.id order by c.name) from alert_rule_channels as rc join alert_channels as c
              on c.id = rc.channel_id where rc.rule_id = r.id), []) as channel_ids,
    coalesce((select list(c.name order by c.name) from alert_rule_channels as rc join alert_channels as c
              on c.id = rc.channel_id where rc.rule_id = r.id), []) as channels
from alert_rules as r
left join integrations as i on i.id = r.integration_id
left join alert_states as s on s.rule_id = r.id
order by case coalesce(s.state, 'ok') when 'firing' then 0 when 'pending' then 1 else 2 end, lower(r.name), r.id;
