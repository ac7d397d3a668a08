-- Inserts the checked entity rows whose action is insert, with new ids from the entity_ids sequence, in
-- (integration_id, type, status, last_updated) order so the table stays physically sorted for the list page.
-- @param checked varchar = 'data/samples/staged/entities.parquet'
insert into entities (id, integration_id, type, status, retriever_ref, storer_ref, children, created_at,
                      last_updated, error_code, error_message, total, currency)
select nextval('entity_ids'), integration_id, type, status, retriever_ref, storer_ref, children, created_at,
    last_updated, error_code, error_message, total, currency
from read_parquet($checked)
where action = 'insert'
order by integration_id, type, status, last_updated
