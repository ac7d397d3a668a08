-- Per-flow settings an operator can change: stale_after_minutes overrides the flow's freshness threshold
-- (default: twice its usual interval between successful syncs over the last 7 days, at least 15 minutes;
-- see flow_freshness.sql). A flow without a row here uses the default.
create table if not exists flow_settings (
    integration_id integer not null,
    type varchar not null check (type in ('article', 'customer', 'order', 'stock')),
    stale_after_minutes integer check (stale_after_minutes between 1 and 525600),
    updated_at timestamptz not null default now(),
    updated_by varchar not null,
    primary key (integration_id, type)
);
