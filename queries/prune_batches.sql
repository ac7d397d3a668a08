-- Returns the pruner's batches: entity-id ranges (lo, hi) that together cover every entity with transactions, one
-- starting where each stored row group's entities start. The table is kept sorted by entity_id, so a batch's
-- writes, and the checkpoint after them, stay in about one row group: a checkpoint that rewrote several at once
-- held readers for up to 3 s.
-- @param span bigint = 122880
with starts as (
    select distinct min(entity_id) as lo
    from transactions
    group by rowid // $span
)
select lo, coalesce(lead(lo) over (order by lo) - 1, (select max(entity_id) from transactions)) as hi
from starts
order by lo;
