-- Returns every integration with its platforms and enabled flow types, ordered by name.
-- (no parameters)
select
    i.id,
    i.name,
    i.retriever,
    i.storer,
    coalesce(list(f.type order by f.type) filter (where f.enabled), []) as enabled_types
from integrations as i
left join flows as f on f.integration_id = i.id
group by all
order by i.name, i.id;
