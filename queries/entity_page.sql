-- Returns one page of the entity list: exact reference matches first, then the chosen sort, then id.
-- Parameters are the entity_filter arguments (see schema/20_macro_entity_filter.sql) plus paging.
-- @param integration integer = 1
-- @param type varchar = 'order'
-- @param statuses varchar[] = ['error', 'pending']
-- @param q varchar = '#100'
-- @param updated_from timestamptz = '2026-11-20 00:00:00+00'
-- @param updated_to timestamptz = null
-- @param error_group varchar = null
-- @param limit integer = 50
-- @param offset integer = 0
-- @ident order_by = last_updated
-- @ident direction = desc
select id, status, retriever_ref, storer_ref, children, created_at, last_updated, error_code, error_message, total,
    currency, match_rank
from {{filter}}($integration, $type::varchar, $statuses::varchar[], $q::varchar, $updated_from::timestamptz,
    $updated_to::timestamptz, $error_group::varchar)
order by match_rank, {{order_by}} {{direction}}, id
limit $limit offset $offset;
