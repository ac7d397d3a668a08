-- Revokes the active token with this name; returns its id (no row when there is none or it is already revoked).
-- @param token_name varchar = 'feed-example'
update api_tokens set revoked_at = now()
where name = $token_name and revoked_at is null
returning id;
