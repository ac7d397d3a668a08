-- Plans staged batches ($batch, see ingest_stage): one row per record whose kind is not one of $kinds (request,
-- row_no, kind, records = 1, reason), and one row per request and known kind (row_no and reason null, records =
-- how many), in request and row order.
-- @param batch varchar = 'data/samples/staged/batch.parquet'
-- @param kinds varchar[] = ['integrations', 'flows', 'entities', 'children', 'transactions']
select request, row_no, kind, 1 as records,
    case when not starts_with(ltrim(record), '{') then 'not a JSON object'
         when kind is null then 'missing required field kind (one of: ' || array_to_string($kinds, ', ') || ')'
         else format('unknown kind ''{}'' (allowed: {})', left(kind, 80), array_to_string($kinds, ', ')) end as reason
from read_parquet($batch)
where kind is null or not list_contains($kinds, kind)
union all
select request, null, kind, count(*), null
from read_parquet($batch)
where list_contains($kinds, kind)
group by request, kind
order by request, row_no nulls first, kind;
