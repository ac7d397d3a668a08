-- Validates staged transaction rows and writes them to the parquet file $checked with reason (the first rule a
-- row breaks, null when good), the resolved entity_id, action (insert, or unchanged when the same id is already
-- stored with the same content) and payload_invalid (a payload is kept as received but is not valid JSON).
-- The natural key is the source's transaction id; a transaction names its entity by the entity's natural key
-- (integration_id, entity_type, entity_ref). Transactions are a log: a stored id is never rewritten.
-- Payloads are stored as received: $payloads (JSON lines of row_no, request_payload, response_payload) holds the
-- source text of payloads sent as JSON values (entities/ingest/rawjson.py); a payload sent as a string is its value.
-- @param staged varchar = 'data/samples/staged/transactions.parquet'
-- @param payloads varchar = 'data/samples/staged/payloads.jsonl'
-- @param checked varchar = '/dev/null'
-- @param types varchar[] = ['article', 'customer', 'order', 'stock']
-- @param operations varchar[] = ['create', 'update', 'retry', 'delete']
-- @param outcomes varchar[] = ['success', 'error', 'pending']
copy (
    with raw as (
        select row_no, record, starts_with(ltrim(record), '{') as is_object,
            json_transform(record, '{"id": "VARCHAR", "integration_id": "VARCHAR", "entity_type": "VARCHAR",
                "entity_ref": "VARCHAR", "occurred_at": "VARCHAR", "operation": "VARCHAR", "outcome": "VARCHAR",
                "error_code": "VARCHAR", "message": "VARCHAR", "request_payload": "VARCHAR",
                "response_payload": "VARCHAR", "duration_ms": "VARCHAR", "actor": "VARCHAR"}') as f
        from read_parquet($staged)
    ),
    texts as (
        select row_no, record, is_object,
            nullif(trim(f.id), '') as id_text,
            nullif(trim(f.integration_id), '') as integration_id_text,
            nullif(trim(f.entity_type), '') as entity_type,
            nullif(f.entity_ref, '') as entity_ref,
            nullif(trim(f.occurred_at), '') as occurred_at_text,
            nullif(trim(f.operation), '') as operation,
            nullif(trim(f.outcome), '') as outcome,
            nullif(f.error_code, '') as error_code,
            nullif(f.message, '') as message,
            coalesce(p.request_payload, f.request_payload) as request_payload,
            coalesce(p.response_payload, f.response_payload) as response_payload,
            nullif(trim(f.duration_ms), '') as duration_ms_text,
            nullif(trim(f.actor), '') as actor
        from raw
        left join read_json($payloads, format = 'newline_delimited', maximum_object_size = 1073741824,
            columns = {row_no: 'BIGINT', request_payload: 'VARCHAR', response_payload: 'VARCHAR'}) p using (row_no)
    ),
    typed as (
        select *,
            try_cast(as_whole_number(id_text) as bigint) as id,
            try_cast(as_whole_number(integration_id_text) as integer) as integration_id,
            try_cast(occurred_at_text as timestamptz) as occurred_at,
            is_zoned_timestamp(occurred_at_text) as occurred_at_zoned,
            try_cast(as_whole_number(duration_ms_text) as integer) as duration_ms,
        from texts
    ),
    judged as materialized (
        select t.*, e.id as entity_id, s.id is not null as stored,
            case
                when not t.is_object then 'not a JSON object'
                when t.id_text is null then 'missing required field id'
                when t.integration_id_text is null then 'missing required field integration_id'
                when t.entity_type is null then 'missing required field entity_type'
                when t.entity_ref is null then 'missing required field entity_ref'
                when t.occurred_at_text is null then 'missing required field occurred_at'
                when t.operation is null then 'missing required field operation'
                when t.outcome is null then 'missing required field outcome'
                when t.actor is null then 'missing required field actor'
                when t.id is null then whole_number_problem('id', t.id_text, -9223372036854775808, 9223372036854775807)
                when t.integration_id is null then whole_number_problem('integration_id', t.integration_id_text,
                                                                         -2147483648, 2147483647)
                when not list_contains($types, t.entity_type) then format(
                    'unknown entity_type ''{}'' (allowed: {})',
                    left(t.entity_type, 80), array_to_string($types, ', '))
                when not list_contains($operations, t.operation) then format(
                    'unknown operation ''{}'' (allowed: {})', left(t.operation, 80),
                    array_to_string($operations, ', '))
                when not list_contains($outcomes, t.outcome) then format('unknown outcome ''{}'' (allowed: {})',
                    left(t.outcome, 80), array_to_string($outcomes, ', '))
                when timestamp_problem('occurred_at', t.occurred_at_text) is not null
                    then timestamp_problem('occurred_at', t.occurred_at_text)
                when t.duration_ms_text is not null and (t.duration_ms is null or t.duration_ms < 0) then whole_number_problem(
                    'duration_ms', t.duration_ms_text, 0, 2147483647)
                when e.id is null then format('unknown entity: no {} ''{}'' in integration {} (import it in entities '
                    'first)', t.entity_type, left(t.entity_ref, 80), t.integration_id)
                when s.id is not null and (s.entity_id, s.occurred_at, s.operation, s.outcome, s.error_code,
                        s.message, s.request_payload, s.response_payload, s.duration_ms, s.actor)
                    is distinct from (e.id, t.occurred_at, t.operation, t.outcome, t.error_code, t.message,
                        t.request_payload, t.response_payload, t.duration_ms, t.actor)
                    then format('id {} is already stored with different content (transactions are never rewritten)',
                                t.id)
            end as base_reason
        from typed t
        left join entities e
            on e.integration_id = t.integration_id and e.type = t.entity_type and e.retriever_ref = t.entity_ref
        left join transactions s on s.id = t.id
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
        case when reason is not null then null when not stored then 'insert' else 'unchanged' end as action,
        coalesce(not json_valid(request_payload), false) or coalesce(not json_valid(response_payload), false)
            as payload_invalid,
        id, entity_id, occurred_at, operation, outcome, error_code, message, request_payload, response_payload,
        duration_ms, actor
    from reasoned
) to $checked (format parquet)
