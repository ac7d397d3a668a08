-- Returns the role the admin-page rule for one pattern grants (no row when there is no such rule).
-- @param pattern varchar = '@example.com'
select role
from role_rules
where pattern = $pattern;
