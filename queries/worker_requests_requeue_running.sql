-- Puts requests left 'running' by a stopped worker back in the queue so none is lost; returns nothing.
-- (no parameters)
update retry_requests
set state = 'queued'
where state = 'running';
