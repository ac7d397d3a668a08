-- Money has a currency: an order's total and its ISO 4217 code are import fields of entities (docs/IMPORT.md),
-- kept as exact decimals (never a double). Null where the source did not send them (rows from before this version).
alter table entities add column total decimal(14, 2);
alter table entities add column currency varchar;

-- The one currency rule of every import kind: the reject reason for a code that is not three letters, or null.
-- Callers pass the code upper-cased ('sek' is SEK; 'kronor' is not a code).
create or replace macro currency_problem(field, t) as
    case when t is not null and not regexp_matches(t, '^[A-Z]{3}$') then format(
        '{} ''{}'' is not an ISO 4217 code (three letters, e.g. SEK, EUR)', field, left(t, 80)) end;

-- A JSON number field as written in the record ('1234.50', '1e-400'), where DuckDB's JSON functions give a double's
-- text ('1234.5', '0.0') and would let a rounded value pass the decimal checks. `read` is the field as read; it is
-- returned for strings (CSV and Parquet text cells, JSON strings) and absent fields. Only the first occurrence of
-- the key is looked at, so it is meant for flat records (entities, children).
create or replace macro json_number_text(record, key, read) as
    case
        when read is null or not contains(record, '"' || key || '"') then read
        when json_type(record, '$.' || key) not in ('DOUBLE', 'BIGINT', 'UBIGINT', 'HUGEINT') then read
        else coalesce(nullif(regexp_extract(record, '"' || key || '"\s*:\s*(-?[0-9][0-9.eE+-]*)', 1), ''), read)
    end;

-- entity_filter (schema/20_macro_entity_filter.sql) with the order total and its currency: the list page, the read
-- API and the CSV export show them. Same arguments, same rows, two more columns before match_rank.
create or replace macro entity_filter(p_integration, p_type, p_statuses, p_q, p_from, p_to, p_group) as table
select
    e.id,
    e.integration_id,
    e.type,
    e.status,
    e.retriever_ref,
    e.storer_ref,
    e.children,
    e.created_at,
    e.last_updated,
    e.error_code,
    e.error_message,
    e.total,
    e.currency,
    case
        when coalesce(p_q, '') = '' then 0
        when lower(e.retriever_ref) = lower(p_q) or lower(e.storer_ref) = lower(p_q) then 0
        else 1
    end as match_rank
from entities as e
where e.integration_id = p_integration
    and (p_type is null or e.type = p_type)
    and (len(p_statuses) = 0 or list_contains(p_statuses, e.status))
    and (
        coalesce(p_q, '') = ''
        or contains(lower(e.retriever_ref), lower(p_q))
        or contains(lower(coalesce(e.storer_ref, '')), lower(p_q))
    )
    and (p_from is null or e.last_updated >= p_from)
    and (p_to is null or e.last_updated < p_to)
    and p_group is null;
