-- Makes timestamptz values come back in UTC; the UI converts to the viewer's timezone.
-- (no parameters)
set timezone = 'UTC';
