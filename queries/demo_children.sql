-- Inserts the children of entities $lo..$hi: order lines, article variants, customer contacts and stock
-- locations, as many as entities.children says. An error order's failing line carries the entity's error
-- (for a missing article, the line with that SKU). An order's lines are in its currency and add up to its total
-- (demo_entities.sql computes it the same way). Deterministic from hash(entity_id, line_no, $seed).
-- Returns the row count.
-- @param lo bigint = 1
-- @param hi bigint = 0
-- @param seed bigint = 42
insert into children (entity_id, line_no, retriever_ref, storer_ref, description, quantity, amount, status,
                      error_message, currency)
with parents as (
    select e.id, e.type, e.status, e.retriever_ref, e.storer_ref, e.error_code, e.error_message, i.retriever,
        e.currency,
        unnest(range(1, e.children + 1)) as line_no,
        (1 + hash(e.id, $seed, 'fail-line') % e.children)::bigint as failed_line
    from entities e
    join integrations i on i.id = e.integration_id
    where e.id between $lo and $hi and e.children > 0
),
lines as (
    select *, hash(id, line_no, $seed) as h,
        (1 + hash(id, line_no, $seed) % 3000)::bigint as line_r,
        type = 'order' and status = 'error' and line_no = failed_line
            and error_code in ('ARTICLE_NOT_FOUND', 'VAT_CODE_MISMATCH', 'PRICE_LIST_MISSING', 'ACCOUNT_MISSING')
            as failed
    from parents
),
described as (
    select *,
        case
            -- the failing line is the one the message names
            when failed and error_code = 'ARTICLE_NOT_FOUND' then split_part(error_message, '''', 2)
            when failed and error_code = 'PRICE_LIST_MISSING' then string_split(error_message, ' ')[-1]
            when retriever in ('Magento', 'Centra') then
                ['TENT', 'JACKET', 'BOOT', 'PACK', 'SLEEP', 'STOVE', 'SOCK', 'CAP'][1 + line_r % 8] || '-'
                || (100 + line_r // 8) || '-' || ['BLK', 'GRN', 'RED', 'BLU', 'GRY'][1 + (line_r // 8) % 5]
            else 'SKU-' || (10000 + line_r)
        end as sku,
        ['Trail tent 2P', 'Down jacket', 'Hiking boot', 'Daypack 30 l', 'Sleeping bag -5', 'Camp stove',
         'Merino socks', 'Wool cap'][1 + ((h >> 8) % 8)::bigint] as product,
        ((h >> 16) % 100)::bigint as draw
    from lines
)
select id, line_no,
    case type
        when 'order' then sku
        when 'article' then retriever_ref || '-' || ['S', 'M', 'L', 'XL'][line_no]
        when 'customer' then 'contact-' || id || '-' || line_no
        else 'WH-' || line_no
    end,
    case
        when status <> 'synced' and (type = 'order' or storer_ref is null) then null
        when type = 'order' then storer_ref || '-' || line_no
        when type = 'article' then storer_ref || '-' || ['S', 'M', 'L', 'XL'][line_no]
        when type = 'customer' then storer_ref || '-' || line_no
        else ['STHLM', 'GBG', 'MMO'][line_no]
    end,
    case type
        when 'order' then product
        when 'article' then 'Size ' || ['S', 'M', 'L', 'XL'][line_no]
        when 'customer' then ['Anna Berg', 'Erik Holm', 'Sara Lind', 'Olle Ek'][1 + draw % 4]
            || [' (invoices)', ' (deliveries)'][line_no]
        else ['Stockholm central warehouse', 'Göteborg store', 'Malmö store'][line_no]
    end,
    case type
        when 'order' then 1 + draw % 4
        when 'stock' then draw * 3
    end,
    case type
        when 'order' then (1 + draw % 4) * (case when currency in ('EUR', 'USD') then [19.95, 34.95, 49.95, 129.95, 249.95]
                                                 else [199.00, 349.00, 499.00, 1299.00, 2499.00] end)[1 + ((h >> 24) % 5)::bigint]
        when 'article' then [199.0, 349.0, 499.0, 1299.0, 2499.0][1 + ((h >> 24) % 5)::bigint]
    end,
    case when failed then 'error' when status = 'synced' then 'synced' else 'pending' end,
    case when failed then error_message end,
    case type when 'order' then currency when 'article' then 'SEK' end
from described
order by id, line_no;
