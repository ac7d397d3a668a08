-- Returns the entities of one integration whose retriever or storer reference equals $ref (two indexed lookups).
select id, type, status, retriever_ref, storer_ref, last_us
from (
    select * from entities where retriever_ref = $ref
    union
    select * from entities where storer_ref = $ref
)
where integration_id = $integration
order by id;
