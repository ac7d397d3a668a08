-- Updates stored entities from the checked rows whose action is update (their last_updated is newer, or equal with
-- a different total or currency): status, storer_ref, children, last_updated, the error fields, total and
-- currency. created_at and the id stay as they were.
-- @param checked varchar = 'data/samples/staged/entities.parquet'
update entities e
set status = c.status, storer_ref = c.storer_ref, children = c.children, last_updated = c.last_updated,
    error_code = c.error_code, error_message = c.error_message, total = c.total, currency = c.currency
from read_parquet($checked) c
where c.action = 'update'
    and e.integration_id = c.integration_id and e.type = c.type and e.retriever_ref = c.retriever_ref
