-- Returns, for each given error_count rule, rule_id and value: failed transactions in the rule's scope during its
-- window before $now; null (no data) while all transactions in the window are fewer than its minimum volume.
-- @param now timestamptz = '2026-11-26 12:00:00+00'
-- @param rule_ids bigint[] = [1, 2]
select
    rule_id,
    case when volume >= min_volume then errors end as value
from alert_window_counts($now, $rule_ids)
order by rule_id;
