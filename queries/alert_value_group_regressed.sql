-- Returns, for each given group_regressed rule, rule_id and value: the error groups in its integration/type scope
-- (only its error_group's fingerprint when set) that are regressed: resolved, then failing again
-- (error_group_states, kept by entities/watch/groups.py). The state is as of the last group sync, not $now.
-- @param rule_ids bigint[] = [1, 2]
with rules as (
    select id, integration_id, type, error_group
    from alert_rules
    where list_contains($rule_ids, id)
),
regressed as (
    select integration_id, type, fingerprint
    from error_group_states
    where state = 'regressed'
)
select r.id as rule_id, count(g.fingerprint) as value
from rules as r
left join regressed as g
    on (r.integration_id is null or g.integration_id = r.integration_id)
    and (r.type is null or g.type = r.type)
    and (r.error_group is null or g.fingerprint = r.error_group)
group by r.id
order by r.id;
