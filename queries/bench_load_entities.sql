-- Returns every entity column the list, search, breakdown, trend, error groups and export need, for the
-- bench's pandas and SQLite baselines (timestamps also as epoch microseconds for SQLite), in id order.
-- (no parameters)
select
    id, integration_id, type, status, retriever_ref, storer_ref, children, created_at, last_updated,
    error_code, error_message, epoch_us(last_updated) as last_us
from entities
order by id;
