-- Validates staged child rows (order lines, variants, contacts, locations) and writes them to the parquet file
-- $checked with reason (the first rule a row breaks, null when good), the resolved entity_id and action (insert,
-- update when a field differs from the stored line, unchanged). A child names its entity by the entity's natural
-- key (integration_id, entity_type, entity_ref); its own key is that plus line_no.
-- @param staged varchar = 'data/samples/staged/children.parquet'
-- @param checked varchar = '/dev/null'
-- @param types varchar[] = ['article', 'customer', 'order', 'stock']
-- @param statuses varchar[] = ['synced', 'error', 'pending']
copy (
    with raw as (
        select row_no, record, starts_with(ltrim(record), '{') as is_object,
            json_transform(record, '{"integration_id": "VARCHAR", "entity_type": "VARCHAR", "entity_ref": "VARCHAR",
                "line_no": "VARCHAR", "retriever_ref": "VARCHAR", "storer_ref": "VARCHAR", "description": "VARCHAR",
                "quantity": "VARCHAR", "amount": "VARCHAR", "currency": "VARCHAR", "status": "VARCHAR", "error_message": "VARCHAR"}') as f
        from read_parquet($staged)
    ),
    texts as (
        select row_no, record, is_object,
            nullif(trim(f.integration_id), '') as integration_id_text,
            nullif(trim(f.entity_type), '') as entity_type,
            nullif(f.entity_ref, '') as entity_ref,
            nullif(trim(f.line_no), '') as line_no_text,
            case when json_exists(record, '$.retriever_ref') then coalesce(f.retriever_ref, '') end
                as retriever_ref,
            nullif(f.storer_ref, '') as storer_ref,
            nullif(f.description, '') as description,
            json_number_text(record, 'quantity', nullif(trim(f.quantity), '')) as quantity_text,
            json_number_text(record, 'amount', nullif(trim(f.amount), '')) as amount_text,
            upper(nullif(trim(f.currency), '')) as currency,
            nullif(trim(f.status), '') as status,
            nullif(f.error_message, '') as error_message
        from raw
    ),
    typed as (
        select *,
            try_cast(as_whole_number(integration_id_text) as integer) as integration_id,
            try_cast(as_whole_number(line_no_text) as integer) as line_no,
            case when decimal_problem('quantity', quantity_text, 3, 9) is null
                then try_cast(quantity_text as decimal(12, 3)) end as quantity,
            case when decimal_problem('amount', amount_text, 2, 12) is null
                then try_cast(amount_text as decimal(14, 2)) end as amount,
        from texts
    ),
    judged as materialized (
        select t.*, e.id as entity_id, s.entity_id is not null as stored,
            (s.retriever_ref, s.storer_ref, s.description, s.quantity, s.amount, s.currency, s.status, s.error_message)
                is distinct from (t.retriever_ref, t.storer_ref, t.description, t.quantity, t.amount, t.currency,
                                  t.status, t.error_message) as differs,
            case
                when not t.is_object then 'not a JSON object'
                when t.integration_id_text is null then 'missing required field integration_id'
                when t.entity_type is null then 'missing required field entity_type'
                when t.entity_ref is null then 'missing required field entity_ref'
                when t.line_no_text is null then 'missing required field line_no'
                when t.retriever_ref is null then 'missing required field retriever_ref'
                when t.status is null then 'missing required field status'
                when t.integration_id is null then whole_number_problem('integration_id', t.integration_id_text,
                                                                         -2147483648, 2147483647)
                when t.line_no is null then whole_number_problem('line_no', t.line_no_text, -2147483648, 2147483647)
                when not list_contains($types, t.entity_type) then format(
                    'unknown entity_type ''{}'' (allowed: {})',
                    left(t.entity_type, 80), array_to_string($types, ', '))
                when not list_contains($statuses, t.status) then format('unknown status ''{}'' (allowed: {})',
                    left(t.status, 80), array_to_string($statuses, ', '))
                when decimal_problem('quantity', t.quantity_text, 3, 9) is not null then decimal_problem('quantity',
                    t.quantity_text, 3, 9)
                when decimal_problem('amount', t.amount_text, 2, 12) is not null then decimal_problem('amount',
                    t.amount_text, 2, 12)
                when currency_problem('currency', t.currency) is not null then currency_problem('currency', t.currency)
                when e.id is null then format('unknown entity: no {} ''{}'' in integration {} (import it in entities '
                    'first)', t.entity_type, left(t.entity_ref, 80), t.integration_id)
            end as base_reason
        from typed t
        left join entities e
            on e.integration_id = t.integration_id and e.type = t.entity_type and e.retriever_ref = t.entity_ref
        left join children s on s.entity_id = e.id and s.line_no = t.line_no
    ),
    duplicates as (
        select entity_id, line_no, count(*) as key_rows, min(row_no) as key_first_row
        from judged
        where base_reason is null
        group by entity_id, line_no
        having count(*) > 1
    ),
    reasoned as (
        select *, coalesce(base_reason, case when key_rows > 1 then 
            format('duplicate key: {} rows in this file have line_no {} of {} ''{}'' in integration {} '
                '(first on row {})', key_rows, line_no, entity_type, left(entity_ref, 80), integration_id,
                key_first_row) end) as reason
        from judged
        left join duplicates using (entity_id, line_no)
    )
    select row_no, case when reason is not null then record end as record, reason,
        case when reason is not null then null when not stored then 'insert' when differs then 'update'
             else 'unchanged' end as action,
        false as payload_invalid,
        entity_id, line_no, retriever_ref, storer_ref, description, quantity, amount, currency, status, error_message
    from reasoned
) to $checked (format parquet)
