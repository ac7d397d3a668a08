-- Returns the notes of one error group, newest first: written_at, author, body.
-- @param group_id bigint = 1
select id, written_at, author, body
from error_group_notes
where group_id = $group_id
order by written_at desc, id desc;
