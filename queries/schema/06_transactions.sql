-- Creates transactions: one row per sync operation on an entity. Kept sorted by (entity_id, occurred_at).
create table if not exists transactions (
    id bigint primary key,
    entity_id bigint not null,
    occurred_at timestamptz not null,
    operation varchar not null check (operation in ('create', 'update', 'retry', 'delete')),
    outcome varchar not null check (outcome in ('success', 'error', 'pending')),
    error_code varchar,
    message varchar,
    request_payload varchar,
    response_payload varchar,
    duration_ms integer check (duration_ms >= 0),
    actor varchar not null
);
