-- Creates the SQLite baseline's tables (SQLite dialect, run with executescript by entities/bench_baselines.py):
-- entities and transactions without payloads, timestamps as epoch microseconds, and retry_requests.
create table entities (
    id integer primary key,
    integration_id integer not null,
    type text not null,
    status text not null,
    retriever_ref text not null,
    storer_ref text,
    children integer not null,
    last_us integer not null,
    error_code text,
    error_message text
);
create table transactions (
    id integer primary key,
    entity_id integer not null,
    occurred_us integer not null,
    operation text not null,
    outcome text not null,
    error_code text,
    message text,
    duration_ms integer,
    actor text not null,
    request_chars integer,
    response_chars integer
);
create table retry_requests (
    id integer primary key,
    entity_id integer not null,
    open_entity_id integer unique,
    requested_us integer not null,
    requested_by text not null,
    state text not null
);
