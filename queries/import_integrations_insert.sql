-- Inserts the checked integration rows whose action is insert.
-- @param checked varchar = 'data/samples/staged/integrations.parquet'
insert into integrations (id, name, retriever, storer)
select id, name, retriever, storer
from read_parquet($checked)
where action = 'insert'
order by id
