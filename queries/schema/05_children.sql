-- Creates children: sub-records of an entity (order lines, variants, contacts, locations).
create table if not exists children (
    entity_id bigint not null,
    line_no integer not null,
    retriever_ref varchar not null,
    storer_ref varchar,
    description varchar,
    quantity decimal(12, 3),
    amount decimal(14, 2),
    status varchar not null check (status in ('synced', 'error', 'pending')),
    error_message varchar,
    primary key (entity_id, line_no)
);
