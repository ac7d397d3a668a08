-- Writes one audit row per due policy transition of an error group (error_group_transitions), as the policy
-- principal $actor; call before error_group_transitions_apply in the same transaction. Returns the audit ids.
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param actor varchar = 'policy:group-lifecycle'
-- @param actor_subject varchar = ''
-- @param actor_kind varchar = 'policy'
insert into audit_log (actor, actor_subject, actor_kind, action, target, detail)
select $actor, $actor_subject, $actor_kind, 'group.' || t.to_state, 'error group ' || t.id,
    t.reason || ' (was ' || t.from_state || ') · ' || s.error_code || ' · ' || s.fingerprint
from error_group_transitions($now) as t
join error_group_states as s on s.id = t.id
order by t.id
returning id;
