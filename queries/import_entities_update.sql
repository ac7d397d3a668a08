-- Updates stored entities from the checked rows whose action is update (their last_updated is newer, or equal with
-- a different total or currency): status, storer_ref, children, last_updated, the error fields, total and
-- currency. created_at and the id stay as they were. The stored rows are found by a semi join on the indexed
-- retriever_ref, which DuckDB answers from the index for a few rows (an API post) instead of scanning every entity.
-- @param checked varchar = 'data/samples/staged/entities.parquet'
update entities e
set status = c.status, storer_ref = c.storer_ref, children = c.children, last_updated = c.last_updated,
    error_code = c.error_code, error_message = c.error_message, total = c.total, currency = c.currency
from (
    with stored as materialized (
        select id, integration_id, type, retriever_ref
        from entities
        where retriever_ref in (select retriever_ref from read_parquet($checked) where action = 'update')
    )
    select s.id, c.*
    from read_parquet($checked) c
    join stored s on s.integration_id = c.integration_id and s.type = c.type and s.retriever_ref = c.retriever_ref
    where c.action = 'update'
) c
where e.id = c.id
