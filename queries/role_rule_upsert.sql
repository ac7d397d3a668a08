-- Sets the role of one pattern, adding the rule or changing its role; returns nothing.
-- @param pattern varchar = '@example.com'
-- @param role varchar = 'operator'
-- @param updated_by varchar = 'admin@example.com'
insert into role_rules (pattern, role, updated_by)
values ($pattern, $role, $updated_by)
on conflict (pattern) do update set role = excluded.role, updated_at = now(), updated_by = excluded.updated_by;
