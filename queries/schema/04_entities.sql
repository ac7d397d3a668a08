-- Creates entities: one synced record. Kept sorted by (integration_id, type, status, last_updated) by loaders.
create table if not exists entities (
    id bigint primary key,
    integration_id integer not null,
    type varchar not null check (type in ('article', 'customer', 'order', 'stock')),
    status varchar not null check (status in ('synced', 'error', 'pending')),
    retriever_ref varchar not null,
    storer_ref varchar,
    children integer not null default 0 check (children >= 0),
    created_at timestamptz not null,
    last_updated timestamptz not null,
    error_code varchar,
    error_message varchar,
    unique (integration_id, type, retriever_ref)
);
