-- Adds a note to an error group with its author and time; returns the note id.
-- @param group_id bigint = 1
-- @param author varchar = 'ops@example.com'
-- @param author_subject varchar = ''
-- @param body varchar = 'Waiting for the ERP to add the article.'
-- @param now timestamptz = '2026-11-26 12:00:00+00'
insert into error_group_notes (group_id, written_at, author, author_subject, body)
values ($group_id, $now, $author, $author_subject, $body)
returning id;
