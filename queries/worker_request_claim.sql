-- Claims the oldest queued retry request (marks it running); returns its id, or no row when the queue is empty.
-- (no parameters)
update retry_requests
set state = 'running'
where state = 'queued'
  and id = (select id from retry_requests where state = 'queued' order by requested_at, id limit 1)
returning id;
