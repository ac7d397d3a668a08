-- Returns one API token by id for authentication: name, secret_sha256, scopes, and whether it is revoked or
-- expired now.
-- @param id bigint = 1
select id, name, secret_sha256, scopes, revoked_at is not null as revoked,
    coalesce(expires_at <= now(), false) as expired
from api_tokens
where id = $id;
