-- Alert rules, their evaluation state, named notification channels, alert events and deliveries
-- (entities/watch/: rules.py manages rules and channels, evaluator.py moves states and records events,
-- channels.py sends deliveries). Kinds and states are checked in code (entities/model.py), not here, so a new
-- kind needs no migration.
create sequence if not exists alert_rule_ids start 1;
create table if not exists alert_rules (
    id bigint primary key default nextval('alert_rule_ids'),
    name varchar not null unique,
    kind varchar not null,
    integration_id integer,          -- null = every integration
    type varchar,                    -- null = every type
    error_group varchar,             -- group_spike: the normalised message; null = any group
    window_minutes integer,          -- error_rate, error_count, group_spike
    min_volume integer,              -- error_rate/error_count: transactions; group_spike: errors in the window
    age_minutes integer,             -- stuck_pending: pending longer than this
    threshold double not null,       -- fires when the value is >= threshold
    recovery_threshold double not null,  -- resolves when the value is < recovery_threshold (<= threshold)
    pending_seconds integer not null default 0,  -- the condition must hold this long before the rule fires
    enabled boolean not null default true,
    snoozed_until timestamptz,       -- no notifications before this time
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create table if not exists alert_states (
    rule_id bigint primary key,
    state varchar not null default 'ok',  -- ok | pending | firing
    since timestamptz,                    -- when the current state began
    value double,                         -- the value at the last evaluation (null: no data)
    evaluated_at timestamptz
);
create sequence if not exists alert_channel_ids start 1;
create table if not exists alert_channels (
    id bigint primary key default nextval('alert_channel_ids'),
    name varchar not null unique,
    kind varchar not null,           -- webhook | email
    url varchar,                     -- webhook
    secret varchar,                  -- webhook: HMAC-SHA256 key for X-Junipeer-Signature
    body_format varchar not null default 'json',  -- webhook: json | slack
    recipients varchar,              -- email: comma-separated addresses
    created_at timestamptz not null default now()
);
create table if not exists alert_rule_channels (
    rule_id bigint not null,
    channel_id bigint not null,
    primary key (rule_id, channel_id)
);
create sequence if not exists alert_event_ids start 1;
create table if not exists alert_events (
    id bigint primary key default nextval('alert_event_ids'),
    rule_id bigint not null,
    rule_name varchar not null,      -- kept as it was when the event happened
    event varchar not null,          -- fired | resolved
    occurred_at timestamptz not null,
    value double,
    threshold double not null,
    scope varchar not null,
    link varchar not null,
    notified boolean not null        -- false while the rule was snoozed
);
create sequence if not exists alert_delivery_ids start 1;
create table if not exists alert_deliveries (
    id bigint primary key default nextval('alert_delivery_ids'),
    event_id bigint not null,
    channel_id bigint not null,
    channel_name varchar not null,
    status varchar not null default 'queued',  -- queued | sent | failed (gave up after the last attempt)
    attempts integer not null default 0,
    next_attempt_at timestamptz,
    sent_at timestamptz,
    last_error varchar
);
-- Defines alert_window_counts(now, rule_ids): for each given rule, the transactions in its integration/type scope
-- during its window before now (volume), how many failed (errors) and its minimum volume. Shared by
-- alert_value_error_rate.sql and alert_value_error_count.sql. One scan of the widest window serves every rule.
-- A record's last_updated is the time of its latest sync operation, so only records updated since the window
-- began can have transactions in it: joining those few instead of every record keeps this fast at 1M records.
create or replace macro alert_window_counts(p_now, p_rule_ids) as table
with rules as (
    select id, integration_id, type, coalesce(min_volume, 0) as min_volume,
        p_now - to_minutes(window_minutes) as since
    from alert_rules
    where list_contains(p_rule_ids, id)
),
touched as (
    select id, integration_id, type
    from entities
    where last_updated >= (select min(since) from rules)
),
recent as (
    select e.integration_id, e.type, t.occurred_at, t.outcome = 'error' as failed
    from transactions as t
    join touched as e on e.id = t.entity_id
    where t.occurred_at >= (select min(since) from rules) and t.occurred_at < p_now
)
select
    r.id as rule_id,
    r.min_volume,
    count(x.occurred_at) as volume,
    count(x.occurred_at) filter (where x.failed) as errors
from rules as r
left join recent as x
    on x.occurred_at >= r.since
    and (r.integration_id is null or x.integration_id = r.integration_id)
    and (r.type is null or x.type = r.type)
group by r.id, r.min_volume;
