-- Updates stored children from the checked rows whose action is update (some field differs).
-- @param checked varchar = 'data/samples/staged/children.parquet'
update children s
set retriever_ref = c.retriever_ref, storer_ref = c.storer_ref, description = c.description,
    quantity = c.quantity, amount = c.amount, currency = c.currency, status = c.status, error_message = c.error_message
from read_parquet($checked) c
where c.action = 'update' and s.entity_id = c.entity_id and s.line_no = c.line_no
