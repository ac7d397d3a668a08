-- Records the state of each evaluated alert rule at $now, in one statement: the lists are parallel (rule i has
-- state $states[i], since $sinces[i] and value $rule_values[i], null for no data).
-- @param rule_ids bigint[] = [1, 2]
-- @param states varchar[] = ['pending', 'ok']
-- @param sinces timestamptz[] = ['2026-11-26 11:58:00+00', null]
-- @param rule_values double[] = [12.5, null]
-- @param now timestamptz = '2026-11-26 12:00:00+00'
insert or replace into alert_states (rule_id, state, since, value, evaluated_at)
select
    unnest($rule_ids),
    unnest($states),
    unnest(cast($sinces as timestamptz[])),
    unnest(cast($rule_values as double[])),
    $now;
