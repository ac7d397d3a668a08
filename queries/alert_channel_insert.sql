-- Inserts one notification channel (validated by entities/watch/rules.py); returns its id.
-- @param channel_name varchar = 'ops webhook'
-- @param kind varchar = 'webhook'
-- @param url varchar = 'http://127.0.0.1:9/hook'
-- @param secret varchar = 's3cret'
-- @param body_format varchar = 'json'
-- @param recipients varchar = null
-- @param now timestamptz = '2026-11-26 12:00:00+00'
insert into alert_channels (name, kind, url, secret, body_format, recipients, created_at)
values ($channel_name, $kind, $url, $secret, $body_format, $recipients, $now)
returning id;
