-- Creates error_codes: shown inline next to an error. transient = a retry is expected to succeed.
create table if not exists error_codes (
    code varchar primary key,
    severity varchar not null check (severity in ('low', 'medium', 'high', 'critical')),
    transient boolean not null,
    title varchar not null,
    cause varchar not null,
    fix varchar not null
);
