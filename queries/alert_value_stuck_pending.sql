-- Returns, for each given stuck_pending rule, rule_id and value: the records in its scope that are pending and
-- have not changed for longer than its age_minutes before $now.
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param rule_ids bigint[] = [1, 2]
with rules as (
    select id, integration_id, type, $now - to_minutes(coalesce(age_minutes, 0)) as before
    from alert_rules
    where list_contains($rule_ids, id)
),
pending as (
    select integration_id, type, last_updated
    from entities
    where status = 'pending' and last_updated < (select max(before) from rules)
)
select r.id as rule_id, count(p.last_updated) as value
from rules as r
left join pending as p
    on p.last_updated < r.before
    and (r.integration_id is null or p.integration_id = r.integration_id)
    and (r.type is null or p.type = r.type)
group by r.id
order by r.id;
