-- Returns one page of reference_rows() (see its macro for the columns and filters), ordered by type and
-- retriever ref; conflicts by storer ref so the records sharing one sit together.
-- @param integration integer = 2
-- @param type varchar = null
-- @param q varchar = 'F-50'
-- @param problem varchar = 'conflict'
-- @param page_size integer = 50
-- @param page_offset integer = 0
select *
from reference_rows($integration, $type, $q, $problem)
order by type, case when $problem = 'conflict' then storer_ref end, retriever_ref, entity_id
limit $page_size offset $page_offset;
