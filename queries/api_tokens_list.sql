-- Returns every API token (never the secret): name, scopes, created, by whom, expiry, revoked, last use and
-- use count, and a state (active, expired, revoked), by name.
-- (no parameters)
select id, name, scopes, created_at, created_by, expires_at, revoked_at, last_used_at, use_count,
    case when revoked_at is not null then 'revoked'
         when expires_at <= now() then 'expired'
         else 'active' end as state
from api_tokens
order by name;
