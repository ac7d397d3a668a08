-- Returns the role rules edited on /admin, by pattern: pattern, role, updated_at, updated_by.
select pattern, role, updated_at, updated_by
from role_rules
order by pattern;
