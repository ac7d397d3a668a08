-- Returns every integration ranked by open errors (most first): records, open errors, error_pct (0-100),
-- pending and oldest_error_at (last_updated of its longest-open error).
-- (no parameters)
select
    i.id as integration_id,
    i.name,
    i.retriever,
    i.storer,
    count(e.id) as records,
    count(e.id) filter (where e.status = 'error') as errors,
    coalesce(round(100.0 * count(e.id) filter (where e.status = 'error') / nullif(count(e.id), 0), 2), 0)
        as error_pct,
    count(e.id) filter (where e.status = 'pending') as pending,
    min(e.last_updated) filter (where e.status = 'error') as oldest_error_at
from integrations as i
left join entities as e on e.integration_id = i.id
group by all
order by errors desc, i.name, i.id;
