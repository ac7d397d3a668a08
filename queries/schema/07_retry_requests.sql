-- Creates retry_requests. open_entity_id equals entity_id while queued or running and is null after:
-- its unique constraint is what makes a second open request for one entity impossible.
create table if not exists retry_requests (
    id bigint primary key,
    entity_id bigint not null,
    open_entity_id bigint unique,
    requested_at timestamptz not null,
    requested_by varchar not null,
    state varchar not null check (state in ('queued', 'running', 'succeeded', 'failed')),
    finished_at timestamptz,
    transaction_id bigint,
    check ((state in ('queued', 'running')) = (open_entity_id is not null))
);
