-- Removes the rule of one pattern; returns the role it granted (no row when there was none).
-- @param pattern varchar = '@example.com'
delete from role_rules
where pattern = $pattern
returning role;
