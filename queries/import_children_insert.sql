-- Inserts the checked child rows whose action is insert, in (entity_id, line_no) order.
-- @param checked varchar = 'data/samples/staged/children.parquet'
insert into children (entity_id, line_no, retriever_ref, storer_ref, description, quantity, amount, currency, status,
                      error_message)
select entity_id, line_no, retriever_ref, storer_ref, description, quantity, amount, currency, status, error_message
from read_parquet($checked)
where action = 'insert'
order by entity_id, line_no
