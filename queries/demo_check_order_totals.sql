-- Returns one row on the demo's order totals: the share of orders per currency (a map), the orders without a total,
-- the orders whose total is not the sum of their lines, and the lines in another currency than their order.
-- (no parameters)
with orders as (
    select e.id, e.total, e.currency, sum(c.amount) as lines_sum,
        count(*) filter (where c.currency is distinct from e.currency) as other_currency_lines
    from entities e
    left join children c on c.entity_id = e.id
    where e.type = 'order'
    group by e.id, e.total, e.currency
)
select
    map_from_entries(list((coalesce(currency, '(none)'), share) order by currency)) as currency_shares,
    (select count(*) from orders where total is null or currency is null) as without_total,
    (select count(*) from orders where total is distinct from lines_sum) as total_not_lines_sum,
    (select sum(other_currency_lines) from orders) as lines_in_other_currency
from (select currency, count(*) / sum(count(*)) over () as share from orders group by currency)
order by all;
