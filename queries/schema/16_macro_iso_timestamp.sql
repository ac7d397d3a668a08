-- Defines is_zoned_timestamp(text): whether an ISO 8601 timestamp text carries a time zone (Z or an offset).
-- Imports accept only zoned timestamps and name naive ones (is_naive_timestamp) in their reason.
create or replace macro is_zoned_timestamp(t) as
    regexp_matches(t, '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)? ?([Zz]|[+-]\d{2}(:?\d{2})?)$');
