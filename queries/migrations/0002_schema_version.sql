-- Records which migrations a database has (see README.md here); version 1 is queries/schema/.
create table if not exists schema_version (
    version integer primary key,
    applied_at timestamptz not null default now()
);
