-- json_number_text (0064) without a second JSON parse per row, which cost the children import about a third of its
-- speed: the number as written is the first `"key": <number>` in the record, taken only when it is the same double
-- as the field read by json_transform (`read`), so a nested object's key of the same name can never replace the
-- top-level value. Strings (CSV and Parquet text cells, JSON strings) and absent fields return `read`.
create or replace macro json_number_text(record, key, read) as
    case
        when read is null then read
        when regexp_extract(record, '"' || key || '"\s*:\s*(-?[0-9][0-9.eE+-]*)', 1) <> ''
            and try_cast(regexp_extract(record, '"' || key || '"\s*:\s*(-?[0-9][0-9.eE+-]*)', 1) as double)
                is not distinct from try_cast(read as double)
            then regexp_extract(record, '"' || key || '"\s*:\s*(-?[0-9][0-9.eE+-]*)', 1)
        else read
    end;
