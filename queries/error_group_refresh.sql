-- Brings error_group_states up to date with the records in error as error_messages_snapshot.sql took them (just
-- before the write lock; a record changed since counts from the next sync): a group seen for the first time is
-- added as open; a known group gets its open_records, first_seen (earliest ever), last_seen (latest ever) and latest
-- example; a group with no record in error any more gets open_records = 0. Rows whose values do not change are
-- left alone. Returns the id of every added or changed group. Each message's fingerprint comes with the snapshot.
-- @needs error_messages_snapshot
-- @param now timestamptz = '2026-11-26 12:00:00+00'
insert into error_group_states as s
    (integration_id, type, error_code, fingerprint, state, open_records, first_seen, last_seen, example,
     state_changed_at)
with failing as (
    select m.integration_id, m.type, m.error_code, m.fingerprint, sum(m.records)::integer as records,
        make_timestamptz(min(m.first_us)) as first_seen, make_timestamptz(max(m.last_us)) as last_seen,
        arg_max(m.message, m.last_us) as example
    from error_messages_now as m
    group by all
),
cleared as (
    select k.integration_id, k.type, k.error_code, k.fingerprint, 0 as records, null::timestamptz as first_seen,
        null::timestamptz as last_seen, null::varchar as example
    from error_group_states as k
    anti join failing as f using (integration_id, type, error_code, fingerprint)
    where k.open_records > 0
)
select integration_id, type, error_code, fingerprint, 'open', records, first_seen, last_seen, example, $now
from (select * from failing union all select * from cleared)
order by integration_id, type, error_code, fingerprint
on conflict (integration_id, type, error_code, fingerprint) do update set
    open_records = excluded.open_records,
    first_seen = least(s.first_seen, excluded.first_seen),
    last_seen = greatest(s.last_seen, excluded.last_seen),
    example = coalesce(excluded.example, s.example)
where s.open_records <> excluded.open_records
    or s.first_seen is distinct from least(s.first_seen, excluded.first_seen)
    or s.last_seen is distinct from greatest(s.last_seen, excluded.last_seen)
    or s.example is distinct from coalesce(excluded.example, s.example)
returning id;
