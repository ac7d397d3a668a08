-- Returns one row: entities whose children count differs from their children rows, and the fewest and most
-- lines on any order.
-- (no parameters)
with counted as (
    select e.id, e.type, e.children, count(c.line_no) as rows_found
    from entities e
    left join children c on c.entity_id = e.id
    group by e.id, e.type, e.children
)
select count(*) filter (where children <> rows_found) as mismatched,
    min(rows_found) filter (where type = 'order') as min_order_lines,
    max(rows_found) filter (where type = 'order') as max_order_lines
from counted;
