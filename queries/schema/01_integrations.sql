-- Creates integrations: one retriever -> storer platform pair.
create table if not exists integrations (
    id integer primary key,
    name varchar not null unique,
    retriever varchar not null,
    storer varchar not null
);
