-- Returns, for each given error_rate rule, rule_id and value: failed transactions as a percentage of all
-- transactions in the rule's scope during its window before $now; null (no data) below its minimum volume.
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param rule_ids bigint[] = [1, 2]
select
    rule_id,
    case when volume > 0 and volume >= min_volume then round(100.0 * errors / volume, 2) end as value
from alert_window_counts($now, $rule_ids)
order by rule_id;
