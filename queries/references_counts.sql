-- Returns one row of counts for the references view of an integration under $type and $q (as in
-- references_page.sql): records, unmapped (no storer ref) and conflicts (records whose storer ref is shared by
-- two or more retriever refs of the same type).
-- @param integration integer = 2
-- @param type varchar = 'order'
-- @param q varchar = ''
select
    count(*) as records,
    count(*) filter (where storer_ref is null) as unmapped,
    count(*) filter (where shared_by > 1) as conflicts
from reference_rows($integration, $type, $q, 'all');
