-- Import value rules as macros, one place for every check query: numbers are never rounded to fit (DuckDB's
-- try_cast to INTEGER/DECIMAL rounds 2.5 to 3), and a UTC offset must exist on Earth (-14:00 to +14:00, minutes
-- below 60). Each *_problem macro returns the reject reason for a field's text, or null when the text is good.

-- A zoned timestamp now needs a real offset: +25:00 or +05:75 are not zones, they are errors.
create or replace macro is_zoned_timestamp(t) as
    regexp_matches(t, '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)? ?([Zz]|[+-]((0\d|1[0-3])(:?[0-5]\d)?|14(:?00)?))$');

create or replace macro timestamp_problem(field, t) as
    case
        when t is null then null
        when regexp_matches(t, '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)? ?[+-]\d{2}(:?\d{2})?$')
            and not is_zoned_timestamp(t) then format('{} ''{}'' has an impossible UTC offset (offsets run from '
                '-14:00 to +14:00, with minutes below 60)', field, left(t, 80))
        when try_cast(t as timestamptz) is null or not (is_zoned_timestamp(t) or is_naive_timestamp(t)) then format(
            '{} ''{}'' is not a timestamp (use ISO 8601, e.g. 2026-11-26T12:00:00Z)', field, left(t, 80))
        when not is_zoned_timestamp(t) then format('{} ''{}'' has no time zone (naive timestamps are rejected: add Z '
            'or an offset such as +01:00)', field, left(t, 80))
    end;

-- Whole numbers: digits with an optional sign; a JSON 3.0 (written 3.0) counts as 3, 2.5 does not.
create or replace macro is_whole_number(t) as regexp_matches(t, '^[+-]?[0-9]+(\.0*)?$');
create or replace macro as_whole_number(t) as
    case when is_whole_number(t) then try_cast(regexp_extract(t, '^[+-]?[0-9]+') as hugeint) end;
create or replace macro whole_number_problem(field, t, lo, hi) as
    case
        when t is null then null
        when not is_whole_number(t) then format('{} ''{}'' is not a whole number{}', field, left(t, 80),
                                                case when lo = 0 then ' >= 0' else '' end)
        when as_whole_number(t) is null or as_whole_number(t) > hi then format('{} ''{}'' is out of range (max {})',
                                                                               field, left(t, 80), hi)
        when as_whole_number(t) < lo and lo = 0 then format('{} ''{}'' is not a whole number >= 0', field, left(t, 80))
        when as_whole_number(t) < lo then format('{} ''{}'' is out of range (min {})', field, left(t, 80), lo)
    end;

-- Decimals: '.' as the decimal point, no exponent, no thousands separators; too many decimals is an error, not a
-- rounding (trailing zeros do not count: 1.500 has 1 decimal).
create or replace macro is_decimal_number(t) as regexp_matches(t, '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$');
create or replace macro decimal_places(t) as length(rtrim(coalesce(regexp_extract(t, '\.([0-9]*)$', 1), ''), '0'));
create or replace macro decimal_problem(field, t, places, int_digits) as
    case
        when t is null then null
        when not is_decimal_number(t) then format('{} ''{}'' is not a number (at most {} decimals, . as decimal '
                                                  'point)', field, left(t, 80), places)
        when decimal_places(t) > places then format('{} ''{}'' has more than {} decimals (values are never rounded)',
                                                    field, left(t, 80), places)
        when length(ltrim(regexp_extract(t, '^[+-]?([0-9]*)', 1), '0')) > int_digits then format(
            '{} ''{}'' is out of range (max {}.{})', field, left(t, 80), repeat('9', int_digits), repeat('9', places))
    end;
