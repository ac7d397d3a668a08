-- The error-group lifecycle (entities/watch/groups.py). A group's identity is its integration, type, error code
-- ('' when none) and normalised message (fingerprint = error_group(error_message)). The counts and times are
-- refreshed from the records in error (error_group_refresh.sql); state changes by hand or by policy
-- (error_group_transitions below) and every change is in audit_log.
--   open       records are failing
--   resolved   closed by hand or automatically once no record is in error (resolved_at, resolved_by)
--   ignored    hidden until ignored_until, or until ignore_count more error transactions after ignored_at
--   regressed  was resolved and a record failed again after resolved_at
create sequence if not exists error_group_ids start 1;
create table if not exists error_group_states (
    id bigint primary key default nextval('error_group_ids'),
    integration_id integer not null,
    type varchar not null,
    error_code varchar not null,
    fingerprint varchar not null,
    state varchar not null default 'open' check (state in ('open', 'resolved', 'ignored', 'regressed')),
    open_records integer not null default 0,
    first_seen timestamptz,
    last_seen timestamptz,
    example varchar,
    state_changed_at timestamptz not null,
    resolved_at timestamptz,
    resolved_by varchar,
    ignored_at timestamptz,
    ignored_until timestamptz,
    ignore_count integer check (ignore_count >= 1),
    ignored_by varchar,
    assignee varchar,
    assigned_by varchar,
    assigned_at timestamptz,
    unique (integration_id, type, error_code, fingerprint)
);
create index if not exists error_group_states_state on error_group_states (state);

-- Notes on a group, with author and time; append-only.
create sequence if not exists error_group_note_ids start 1;
create table if not exists error_group_notes (
    id bigint primary key default nextval('error_group_note_ids'),
    group_id bigint not null,
    written_at timestamptz not null,
    author varchar not null,
    author_subject varchar not null default '',
    body varchar not null
);
create index if not exists error_group_notes_group on error_group_notes (group_id);

-- error_group_transitions(now): the state changes that are due because the data changed or time passed, one
-- row per group (id, from_state, to_state, reason), computed set-based:
--   open/regressed -> resolved   no record of the group is in error any more (auto-resolve)
--   resolved -> regressed        a record failed after the group was resolved
--   ignored -> open              ignored_until has passed, or ignore_count error transactions of the group
--                                happened after ignored_at
-- Error transactions count as occurrences; only ignored-until-N groups pay for matching them.
create or replace macro error_group_transitions(p_now) as table
with counted as (
    select id, integration_id, type, error_code, fingerprint, ignored_at
    from error_group_states
    where state = 'ignored' and ignore_count is not null
),
recent_errors as (
    select e.integration_id, e.type, coalesce(t.error_code, '') as error_code, t.message
    from transactions as t
    join entities as e on e.id = t.entity_id
    where t.outcome = 'error'
        and t.occurred_at > (select min(ignored_at) from counted)
        and t.occurred_at <= p_now
        and e.integration_id in (select integration_id from counted)
),
occurrences as (
    select c.id, count(*) as seen
    from counted as c
    join recent_errors as r
        on r.integration_id = c.integration_id and r.type = c.type and r.error_code = c.error_code
    where error_group(coalesce(r.message, '')) = c.fingerprint
    group by c.id
),
due as (
    select
        s.id,
        s.state as from_state,
        case
            when s.state in ('open', 'regressed') and s.open_records = 0 then 'resolved'
            when s.state = 'resolved' and s.open_records > 0 and s.last_seen > s.resolved_at then 'regressed'
            when s.state = 'ignored' and s.ignored_until <= p_now then 'open'
            when s.state = 'ignored' and coalesce(o.seen, 0) >= s.ignore_count then 'open'
        end as to_state,
        case
            when s.state in ('open', 'regressed') and s.open_records = 0
                then 'auto-resolved: no record is in error any more'
            when s.state = 'resolved' and s.open_records > 0 and s.last_seen > s.resolved_at
                then 'regressed: a record failed again at ' || strftime(s.last_seen at time zone 'UTC', '%Y-%m-%d %H:%M:%S UTC')
                    || ', after the group was resolved'
            when s.state = 'ignored' and s.ignored_until <= p_now
                then 'reopened: the ignore period ended'
            when s.state = 'ignored' and coalesce(o.seen, 0) >= s.ignore_count
                then 'reopened: ' || coalesce(o.seen, 0) || ' more errors since it was ignored (limit '
                    || s.ignore_count || ')'
        end as reason
    from error_group_states as s
    left join occurrences as o on o.id = s.id
    where s.state <> 'resolved' or s.open_records > 0
)
select id, from_state, to_state, reason
from due
where to_state is not null;
