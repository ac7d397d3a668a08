-- The audit log: one row per change a person, token or policy makes (retries keep their own rows in
-- retry_requests; lifecycle, rule, token and role changes are recorded here). Written by entities/audit.py.
create sequence if not exists audit_ids start 1;
create table if not exists audit_log (
    id bigint primary key default nextval('audit_ids'),
    occurred_at timestamptz not null default now(),
    actor varchar not null,
    actor_subject varchar not null default '',
    actor_kind varchar not null,
    action varchar not null,
    target varchar not null,
    detail varchar
);
create index if not exists audit_log_at on audit_log (occurred_at);
