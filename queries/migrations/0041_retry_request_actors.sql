-- Who asked for each retry beyond the display name in retry_requests.requested_by: the OIDC subject or token id
-- and the kind of principal (user, token, local, policy). A side table, because DuckDB cannot add a column to a
-- table that other migrations may have indexed.
create table if not exists retry_request_actors (
    request_id bigint primary key,
    actor_subject varchar not null default '',
    actor_kind varchar not null
);
