-- Returns, for a staged batch, one row per record whose kind is not one of $kinds: row_no and the reason; and
-- one row per known kind present (row_no null, reason null, kind, records), so one pass plans the batch.
-- @param batch varchar = 'data/samples/staged/batch.parquet'
-- @param kinds varchar[] = ['integrations', 'flows', 'entities', 'children', 'transactions']
select row_no, kind, 1 as records,
    case when not starts_with(ltrim(record), '{') then 'not a JSON object'
         when kind is null then 'missing required field kind (one of: ' || array_to_string($kinds, ', ') || ')'
         else format('unknown kind ''{}'' (allowed: {})', left(kind, 80), array_to_string($kinds, ', ')) end as reason
from read_parquet($batch)
where kind is null or not list_contains($kinds, kind)
union all
select null, kind, count(*), null
from read_parquet($batch)
where list_contains($kinds, kind)
group by kind
order by row_no nulls first, kind;
