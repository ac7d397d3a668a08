-- Validates staged flow rows and writes them to the parquet file $checked with reason (the first rule a row
-- breaks, null when good) and action (insert, update when enabled or last_synced_at differs, unchanged).
-- The natural key is (integration_id, type); enabled defaults to true.
-- @param staged varchar = 'data/samples/staged/flows.parquet'
-- @param checked varchar = '/dev/null'
-- @param types varchar[] = ['article', 'customer', 'order', 'stock']
copy (
    with raw as (
        select row_no, record, starts_with(ltrim(record), '{') as is_object,
            json_transform(record, '{"integration_id": "VARCHAR", "type": "VARCHAR", "enabled": "VARCHAR",
                "last_synced_at": "VARCHAR"}') as f
        from read_parquet($staged)
    ),
    texts as (
        select row_no, record, is_object,
            nullif(trim(f.integration_id), '') as integration_id_text,
            nullif(trim(f.type), '') as type,
            nullif(trim(f.enabled), '') as enabled_text,
            nullif(trim(f.last_synced_at), '') as last_synced_at_text
        from raw
    ),
    typed as (
        select *,
            try_cast(as_whole_number(integration_id_text) as integer) as integration_id,
            try_cast(enabled_text as boolean) as enabled_value,
            try_cast(last_synced_at_text as timestamptz) as last_synced_at,
            is_zoned_timestamp(last_synced_at_text) as last_synced_at_zoned,
        from texts
    ),
    judged as materialized (
        select t.*, s.integration_id is not null as stored,
            (s.enabled, s.last_synced_at) is distinct from (coalesce(t.enabled_value, true), t.last_synced_at)
                as differs,
            case
                when not t.is_object then 'not a JSON object'
                when t.integration_id_text is null then 'missing required field integration_id'
                when t.type is null then 'missing required field type'
                when t.integration_id is null then whole_number_problem('integration_id', t.integration_id_text,
                                                                         -2147483648, 2147483647)
                when not list_contains($types, t.type) then format('unknown type ''{}'' (allowed: {})',
                                                                   left(t.type, 80), array_to_string($types, ', '))
                when t.enabled_text is not null and t.enabled_value is null then format(
                    'enabled ''{}'' is not true or false', left(t.enabled_text, 80))
                when timestamp_problem('last_synced_at', t.last_synced_at_text) is not null
                    then timestamp_problem('last_synced_at', t.last_synced_at_text)
                when i.id is null then format('unknown integration_id {} (import it in integrations first)',
                                              t.integration_id)
            end as base_reason
        from typed t
        left join integrations i on i.id = t.integration_id
        left join flows s on s.integration_id = t.integration_id and s.type = t.type
    ),
    duplicates as (
        select integration_id, type, count(*) as key_rows, min(row_no) as key_first_row
        from judged
        where base_reason is null
        group by integration_id, type
        having count(*) > 1
    ),
    reasoned as (
        select *, coalesce(base_reason, case when key_rows > 1 then 
            format('duplicate key: {} rows in this file have integration_id {}, type {} (first on row {})',
                key_rows, integration_id, type,
                key_first_row) end) as reason
        from judged
        left join duplicates using (integration_id, type)
    )
    select row_no, case when reason is not null then record end as record, reason,
        case when reason is not null then null when not stored then 'insert' when differs then 'update'
             else 'unchanged' end as action,
        false as payload_invalid,
        integration_id, type, coalesce(enabled_value, true) as enabled, last_synced_at
    from reasoned
) to $checked (format parquet)
