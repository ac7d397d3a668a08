-- Returns the id of the token with this name that is not revoked, or no row.
-- @param token_name varchar = 'feed-example'
select id from api_tokens where name = $token_name and revoked_at is null;
