-- Returns every transaction without its payloads (their lengths instead) for the bench's pandas and SQLite
-- baselines, in (entity_id, occurred_at) order; occurred_at also as epoch microseconds for SQLite.
-- (no parameters)
select
    id, entity_id, occurred_at, operation, outcome, error_code, message, duration_ms, actor,
    length(request_payload) as request_chars, length(response_payload) as response_chars,
    epoch_us(occurred_at) as occurred_us
from transactions
order by entity_id, occurred_at, id;
