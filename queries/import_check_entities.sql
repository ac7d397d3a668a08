-- Validates staged entity rows and writes them to the parquet file $checked with reason (the first rule a row
-- breaks, null when good) and action (insert; update when last_updated is newer than the stored row, or equal
-- with a total or currency that differs from the stored one; unchanged). Good rows carry typed values (total an
-- exact decimal, never rounded); a row's natural key is (integration_id, type, retriever_ref).
-- @param staged varchar = 'data/samples/staged/entities.parquet'
-- @param checked varchar = '/dev/null'
-- @param types varchar[] = ['article', 'customer', 'order', 'stock']
-- @param statuses varchar[] = ['synced', 'error', 'pending']
-- @ident lookup = staged_entities
copy (
    with raw as (
        select row_no, record, starts_with(ltrim(record), '{') as is_object,
            json_transform(record, '{"integration_id": "VARCHAR", "type": "VARCHAR", "status": "VARCHAR",
                "retriever_ref": "VARCHAR", "storer_ref": "VARCHAR", "children": "VARCHAR", "created_at": "VARCHAR",
                "last_updated": "VARCHAR", "error_code": "VARCHAR", "error_message": "VARCHAR", "total": "VARCHAR",
                "currency": "VARCHAR"}') as f
        from read_parquet($staged)
    ),
    texts as (
        select row_no, record, is_object,
            nullif(trim(f.integration_id), '') as integration_id_text,
            nullif(trim(f.type), '') as type,
            nullif(trim(f.status), '') as status,
            nullif(f.retriever_ref, '') as retriever_ref,
            nullif(f.storer_ref, '') as storer_ref,
            nullif(trim(f.children), '') as children_text,
            nullif(trim(f.created_at), '') as created_at_text,
            nullif(trim(f.last_updated), '') as last_updated_text,
            nullif(f.error_code, '') as error_code,
            nullif(f.error_message, '') as error_message,
            json_number_text(record, 'total', nullif(trim(f.total), '')) as total_text,
            upper(nullif(trim(f.currency), '')) as currency
        from raw
    ),
    typed as (
        select *,
            try_cast(as_whole_number(integration_id_text) as integer) as integration_id,
            try_cast(as_whole_number(children_text) as integer) as children,
            try_cast(created_at_text as timestamptz) as created_at_value,
            try_cast(last_updated_text as timestamptz) as last_updated,
            timestamp_problem('last_updated', last_updated_text) as last_updated_problem,
            timestamp_problem('created_at', created_at_text) as created_at_problem,
            decimal_problem('total', total_text, 2, 12) as total_problem,
            currency_problem('currency', currency) as currency_problem,
            case when total_problem is null then try_cast(total_text as decimal(14, 2)) end as total,
        from texts
    ),
    staged_entities as materialized (
        -- the stored rows of the references read, by a semi join on the indexed retriever_ref, which DuckDB answers
        -- from the index for a few rows (an API post) instead of scanning every entity; the lookup slot below names
        -- this for small loads, entities for large ones (one join over every entity costs less than both then)
        select id, integration_id, type, retriever_ref, last_updated, total, currency
        from entities
        where retriever_ref in (select json_transform(record, '{"retriever_ref": "VARCHAR"}').retriever_ref
                                from read_parquet($staged))
    ),
    judged as materialized (
        select t.*, e.last_updated as stored_last_updated, e.id is not null as stored,
            (t.total is not null or t.currency is not null)
                and (t.total, t.currency) is distinct from (e.total, e.currency) as money_differs,
            case
                when not t.is_object then 'not a JSON object'
                when t.integration_id_text is null then 'missing required field integration_id'
                when t.type is null then 'missing required field type'
                when t.retriever_ref is null then 'missing required field retriever_ref'
                when t.status is null then 'missing required field status'
                when t.last_updated_text is null then 'missing required field last_updated'
                when t.integration_id is null then whole_number_problem('integration_id', t.integration_id_text,
                                                                         -2147483648, 2147483647)
                when not list_contains($types, t.type) then format('unknown type ''{}'' (allowed: {})',
                                                                   left(t.type, 80), array_to_string($types, ', '))
                when not list_contains($statuses, t.status) then format('unknown status ''{}'' (allowed: {})',
                    left(t.status, 80), array_to_string($statuses, ', '))
                when t.last_updated_problem is not null then t.last_updated_problem
                when t.created_at_problem is not null then t.created_at_problem
                when t.children_text is not null and (t.children is null or t.children < 0) then whole_number_problem(
                    'children', t.children_text, 0, 2147483647)
                when t.total_problem is not null then t.total_problem
                when t.currency_problem is not null then t.currency_problem
                when t.total is not null and t.currency is null then format('total ''{}'' has no currency (add the '
                    'currency field, an ISO 4217 code such as SEK)', left(t.total_text, 80))
                when i.id is null then format('unknown integration_id {} (import it in integrations first)',
                                              t.integration_id)
            end as base_reason
        from typed t
        left join integrations i on i.id = t.integration_id
        left join {{lookup}} e
            on e.integration_id = t.integration_id and e.type = t.type and e.retriever_ref = t.retriever_ref
    ),
    duplicates as (
        select integration_id, type, retriever_ref, count(*) as key_rows, min(row_no) as key_first_row
        from judged
        where base_reason is null
        group by integration_id, type, retriever_ref
        having count(*) > 1
    ),
    reasoned as (
        select *, coalesce(base_reason, case when key_rows > 1 then 
            format('duplicate key: {} rows in this file have integration_id {}, type {}, retriever_ref ''{}'' '
                '(first on row {})', key_rows, integration_id, type, left(retriever_ref, 80),
                key_first_row) end) as reason
        from judged
        left join duplicates using (integration_id, type, retriever_ref)
    )
    select row_no, case when reason is not null then record end as record, reason,
        case when reason is not null then null
             when not stored then 'insert'
             when last_updated > stored_last_updated then 'update'
             when last_updated = stored_last_updated and money_differs then 'update'
             else 'unchanged' end as action,
        false as payload_invalid,
        integration_id, type, status, retriever_ref, storer_ref, coalesce(children, 0) as children,
        coalesce(created_at_value, last_updated) as created_at, last_updated, error_code, error_message, total, currency
    from reasoned
) to $checked (format parquet)
