-- Defines is_naive_timestamp(text): an ISO 8601 timestamp text without a time zone (see 16_macro_iso_timestamp.sql).
create or replace macro is_naive_timestamp(t) as
    regexp_matches(t, '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$');
