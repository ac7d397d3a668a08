-- Retry at scale (issue 13): attempts, backoff schedule and claims on retry requests; per-integration auto-retry
-- policy and limits (null = the default in entities/sync/policy.py); the gave-up event log the list, overview and
-- alert rules read; the worker's own error codes in the catalogue, with TIMEOUT/UPSTREAM_5XX saying what is recorded.
alter table retry_requests add column attempt integer default 1;
alter table retry_requests add column not_before timestamptz;
alter table retry_requests add column claims integer default 0;
alter table retry_requests add column claimed_at timestamptz;
alter table retry_requests add column reason varchar;

create table if not exists retry_policies (
    integration_id integer primary key,
    auto_retry boolean,
    base_seconds double check (base_seconds > 0),
    factor double check (factor >= 1),
    cap_seconds double check (cap_seconds > 0),
    max_attempts integer check (max_attempts >= 1),
    concurrency integer check (concurrency >= 1),
    rate_requests integer check (rate_requests >= 0),  -- 0 = no rate limit
    rate_seconds double check (rate_seconds > 0)
);

-- One row each time the policy gives up on a record (its last automatic attempt failed with a transient code).
-- A record "has given up" while it is in error and not updated since its latest event (see entity_filter_gave_up).
create sequence if not exists retry_gave_up_ids start 1;
create table if not exists retry_gave_up_events (
    id bigint primary key default nextval('retry_gave_up_ids'),
    occurred_at timestamptz not null default now(),
    entity_id bigint not null,
    integration_id integer not null,
    request_id bigint not null,
    attempts integer not null,
    error_code varchar,
    message varchar
);
create index if not exists retry_gave_up_events_entity on retry_gave_up_events (entity_id);

-- entity_filter restricted to records whose auto-retry gave up (same arguments and columns; p_group optional).
create or replace macro entity_filter_gave_up(p_integration, p_type, p_statuses, p_q, p_from, p_to, p_group) as table
select f.*
from entity_filter(p_integration, p_type, p_statuses, p_q, p_from, p_to, null) as f
where f.status = 'error'
    and f.id in (select g.entity_id from retry_gave_up_events as g
                 join entities as e on e.id = g.entity_id
                 where e.integration_id = p_integration and g.occurred_at >= e.last_updated)
    and (p_group is null or error_group(f.error_message) = p_group);

update error_codes
set cause = 'The storer did not answer in full within the retry handler''s deadline (connect, send and the whole '
            || 'answer; ENTITIES_WEBHOOK_TIMEOUT, 10 s by default), usually during maintenance or heavy load.'
where code = 'TIMEOUT';
update error_codes
set cause = 'The storer (or a proxy in front of it) answered with a server error, HTTP 500-599.'
where code = 'UPSTREAM_5XX';

insert or ignore into error_codes (code, severity, transient, title, cause, fix) values
    ('TIMEOUT', 'medium', true, 'Request timed out',
     'The storer did not answer in full within the retry handler''s deadline (connect, send and the whole answer; '
     || 'ENTITIES_WEBHOOK_TIMEOUT, 10 s by default), usually during maintenance or heavy load.',
     'Retry. If it persists, check the storer''s status page.'),
    ('UPSTREAM_5XX', 'medium', true, 'Storer server error',
     'The storer (or a proxy in front of it) answered with a server error, HTTP 500-599.',
     'Retry later; the storer is usually back within minutes.'),
    ('WEBHOOK_UNREACHABLE', 'high', true, 'Retry target unreachable',
     'The retry webhook refused the connection or its name did not resolve.',
     'Check that the target is running and ENTITIES_WEBHOOK_URL is right; retries continue by policy.'),
    ('WEBHOOK_CONNECTION_CLOSED', 'medium', true, 'Target closed the connection',
     'The retry target closed the connection before its answer was complete; the bytes received are kept.',
     'Retry; if it repeats, check the target''s logs for crashes or proxy limits.'),
    ('WEBHOOK_ANSWER_TOO_LARGE', 'medium', false, 'Answer too large',
     'The retry target''s answer was larger than ENTITIES_WEBHOOK_MAX_ANSWER; its first bytes are kept.',
     'Make the target answer with a short JSON outcome, or raise the limit.'),
    ('WEBHOOK_BAD_RESPONSE', 'medium', false, 'Answer without an outcome',
     'The retry target answered 2xx without a JSON body naming the outcome.',
     'Make the target answer {"outcome": "success" | "error", ...}.'),
    ('WEBHOOK_REJECTED', 'high', false, 'Target rejected the retry',
     'The retry target answered with a 4xx status.',
     'Read the answer under Raw data; fix the request or the target, then retry.'),
    ('HANDLER_FAILED', 'high', false, 'Retry handler failed',
     'The retry handler raised an unexpected error; the request was closed with its reason.',
     'Read the message; fix the handler configuration, then retry.'),
    ('OUTCOME_NOT_RECORDED', 'high', false, 'Outcome could not be recorded',
     'The target answered, but the answer could not be stored (for example a full disk); the reason is kept.',
     'Fix the cause named in the message, then retry.'),
    ('RETRY_INTERRUPTED', 'high', false, 'Retry interrupted repeatedly',
     'The worker stopped while this request was running, more times than allowed; it is not sent again.',
     'Check the target for the request''s Idempotency-Key, then retry by hand.');
