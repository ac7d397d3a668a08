-- Creates flows: which entity types an integration syncs; enabled flows decide the list tabs.
create table if not exists flows (
    integration_id integer not null,
    type varchar not null check (type in ('article', 'customer', 'order', 'stock')),
    enabled boolean not null default true,
    last_synced_at timestamptz,
    primary key (integration_id, type)
);
