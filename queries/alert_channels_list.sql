-- Returns every notification channel with its settings and how many rules use it, by name.
-- (no parameters)
select
    c.id,
    c.name,
    c.kind,
    c.url,
    c.secret,
    c.body_format,
    c.recipients,
    c.created_at,
    (select count(*) from alert_rule_channels as rc where rc.channel_id = c.id) as rules
from alert_channels as c
order by lower(c.name), c.id;
