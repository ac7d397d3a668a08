-- Returns one error group's lifecycle row with its integration's name, or no row for an unknown id.
-- @param group_id bigint = 1
select s.*, i.name as integration
from error_group_states as s
join integrations as i on i.id = s.integration_id
where s.id = $group_id;
