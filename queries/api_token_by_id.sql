-- Returns one API token by id for authentication: name, secret_sha256, scopes, whether it is revoked, and its
-- expiry (null: never).
-- @param id bigint = 1
select id, name, secret_sha256, scopes, revoked_at is not null as revoked, expires_at
from api_tokens
where id = $id;
