-- Validates staged integration rows and writes them to the parquet file $checked with reason (the first rule a
-- row breaks, null when good) and action (insert, update when a field differs from the stored row, unchanged).
-- The natural key is id.
-- @param staged varchar = 'data/samples/staged/integrations.parquet'
-- @param checked varchar = '/dev/null'
copy (
    with raw as (
        select row_no, record, starts_with(ltrim(record), '{') as is_object,
            json_transform(record, '{"id": "VARCHAR", "name": "VARCHAR", "retriever": "VARCHAR",
                "storer": "VARCHAR"}') as f
        from read_parquet($staged)
    ),
    typed as (
        select row_no, record, is_object,
            nullif(trim(f.id), '') as id_text,
            try_cast(as_whole_number(nullif(trim(f.id), '')) as integer) as id,
            nullif(trim(f.name), '') as name,
            nullif(trim(f.retriever), '') as retriever,
            nullif(trim(f.storer), '') as storer,
            count(*) over (partition by nullif(trim(f.name), '')) as name_rows
        from raw
    ),
    judged as materialized (
        select t.*, s.id is not null as stored,
            s.id is not null and (s.name, s.retriever, s.storer) is distinct from (t.name, t.retriever, t.storer)
                as differs,
            case
                when not t.is_object then 'not a JSON object'
                when t.id_text is null then 'missing required field id'
                when t.name is null then 'missing required field name'
                when t.retriever is null then 'missing required field retriever'
                when t.storer is null then 'missing required field storer'
                when t.id is null then whole_number_problem('id', t.id_text, -2147483648, 2147483647)
                when t.name_rows > 1 then format('duplicate name: {} rows in this file are named ''{}''',
                                                 t.name_rows, left(t.name, 80))
                when other.id is not null then format('name ''{}'' is already used by integration {}',
                                                      left(t.name, 80), other.id)
            end as base_reason
        from typed t
        left join integrations s on s.id = t.id
        left join integrations other on other.name = t.name and other.id <> t.id
    ),
    duplicates as (
        select id, count(*) as key_rows, min(row_no) as key_first_row
        from judged
        where base_reason is null
        group by id
        having count(*) > 1
    ),
    reasoned as (
        select *, coalesce(base_reason, case when key_rows > 1 then 
            format('duplicate key: {} rows in this file have id {} (first on row {})', key_rows, id,
                key_first_row) end) as reason
        from judged
        left join duplicates using (id)
    )
    select row_no, case when reason is not null then record end as record, reason,
        case when reason is not null then null when not stored then 'insert' when differs then 'update'
             else 'unchanged' end as action,
        false as payload_invalid,
        id, name, retriever, storer
    from reasoned
) to $checked (format parquet)
