-- Stores a new API token (its secret's sha256 only); returns its id.
-- @param token_name varchar = 'feed-example'
-- @param secret_sha256 varchar = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
-- @param scopes varchar[] = ['ingest']
-- @param created_by varchar = 'cli (local)'
-- @param expires_at timestamptz = null
insert into api_tokens (name, secret_sha256, scopes, created_by, expires_at)
values ($token_name, $secret_sha256, $scopes, $created_by, $expires_at)
returning id;
