-- API tokens: bearer tokens for /api/v1 with scopes (ingest, read, retry). Only the sha256 of the secret is
-- stored; the token text is shown once at creation. last_used_at and use_count are flushed from the app in
-- batches (entities/web/tokens.py), not written per request.
create sequence if not exists api_token_ids start 1;
create table if not exists api_tokens (
    id bigint primary key default nextval('api_token_ids'),
    name varchar not null,  -- unique among tokens not revoked (checked in code under the write lock)
    secret_sha256 varchar not null,
    scopes varchar[] not null,
    created_at timestamptz not null default now(),
    created_by varchar not null,
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz,
    use_count bigint not null default 0
);
create index if not exists api_tokens_name on api_tokens (name);
