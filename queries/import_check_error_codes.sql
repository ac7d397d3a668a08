-- Validates staged error catalogue rows and writes them to the parquet file $checked with reason (the first rule a
-- row breaks, null when good) and action (insert, update when any field differs from the stored code, unchanged).
-- The key is code. transient is a boolean (true/false, t/f, 1/0) or the word transient or permanent.
-- @param staged varchar = 'data/samples/staged/error_codes.parquet'
-- @param checked varchar = '/dev/null'
-- @param severities varchar[] = ['low', 'medium', 'high', 'critical']
copy (
    with raw as (
        select row_no, record, starts_with(ltrim(record), '{') as is_object,
            json_transform(record, '{"code": "VARCHAR", "title": "VARCHAR", "severity": "VARCHAR", "cause": "VARCHAR",
                "fix": "VARCHAR", "transient": "VARCHAR"}') as f
        from read_parquet($staged)
    ),
    typed as (
        select row_no, record, is_object,
            nullif(trim(f.code), '') as code,
            nullif(trim(f.title), '') as title,
            lower(nullif(trim(f.severity), '')) as severity,
            nullif(trim(f.cause), '') as cause,
            nullif(trim(f.fix), '') as fix,
            nullif(trim(f.transient), '') as transient_text,
            case lower(trim(f.transient)) when 'transient' then true when 'permanent' then false
                else try_cast(trim(f.transient) as boolean) end as transient
        from raw
    ),
    judged as materialized (
        select t.*, s.code is not null as stored,
            (s.title, s.severity, s.cause, s.fix, s.transient)
                is distinct from (t.title, t.severity, t.cause, t.fix, t.transient) as differs,
            case
                when not t.is_object then 'not a JSON object'
                when t.code is null then 'missing required field code'
                when t.title is null then 'missing required field title'
                when t.severity is null then 'missing required field severity'
                when t.cause is null then 'missing required field cause'
                when t.fix is null then 'missing required field fix'
                when t.transient_text is null then 'missing required field transient'
                when t.transient is null then format('transient ''{}'' is not true, false, transient or permanent',
                                                     left(t.transient_text, 80))
                when not list_contains($severities, t.severity) then format('unknown severity ''{}'' (allowed: {})',
                    left(t.severity, 80), array_to_string($severities, ', '))
            end as base_reason
        from typed t
        left join error_codes s on s.code = t.code
    ),
    duplicates as (
        select code, count(*) as key_rows, min(row_no) as key_first_row
        from judged
        where base_reason is null
        group by code
        having count(*) > 1
    ),
    reasoned as (
        select *, coalesce(base_reason, case when key_rows > 1 then
            format('duplicate key: {} rows in this file have code ''{}'' (first on row {})', key_rows,
                   left(code, 80), key_first_row) end) as reason
        from judged
        left join duplicates using (code)
    )
    select row_no, case when reason is not null then record end as record, reason,
        case when reason is not null then null when not stored then 'insert' when differs then 'update'
             else 'unchanged' end as action,
        false as payload_invalid,
        code, severity, transient, title, cause, fix
    from reasoned
) to $checked (format parquet)
