-- Returns every entity whose retriever or storer reference equals $ref (two indexed lookups), by id.
select id, integration_id, type, status, retriever_ref, storer_ref, last_us
from entities
where retriever_ref = $ref
union
select id, integration_id, type, status, retriever_ref, storer_ref, last_us
from entities
where storer_ref = $ref
order by id;
