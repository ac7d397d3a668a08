-- Role rules edited on the /admin page: a pattern (an email, @domain, group:NAME or *) and the role it grants.
-- Rules from configuration (ENTITIES_ROLE_* / secrets.toml [roles]) are not stored; both apply (entities/web/roles.py).
create sequence if not exists role_rule_ids start 1;
create table if not exists role_rules (
    id bigint primary key default nextval('role_rule_ids'),
    pattern varchar not null unique,
    role varchar not null check (role in ('viewer', 'operator', 'admin')),
    updated_at timestamptz not null default now(),
    updated_by varchar not null
);
