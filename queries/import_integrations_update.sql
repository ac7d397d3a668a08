-- Updates name, retriever and storer of stored integrations from the checked rows whose action is update.
-- @param checked varchar = 'data/samples/staged/integrations.parquet'
update integrations s
set name = c.name, retriever = c.retriever, storer = c.storer
from read_parquet($checked) c
where c.action = 'update' and s.id = c.id
