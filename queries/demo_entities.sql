-- Inserts $n demo entities (ids 1..$n) over the enabled flows: uneven per integration and type, about
-- 90/6/4 % synced/error/pending, error spikes on three incident days, platform-shaped references and
-- realistic error messages; orders have a total in their currency (about 78 % SEK, then EUR, NOK and USD) that is
-- the sum of their lines (demo_children.sql). Every value derives from hash(key, $seed) and $anchor, so the same
-- ($n, $seed, $anchor) gives the same rows. Rows are written in (integration_id, type, status, last_updated)
-- order and ids follow that order. Returns the row count.
-- @param n bigint = 0
-- @param seed bigint = 42
-- @param anchor timestamptz = '2026-11-26 12:00:00+00'
insert into entities (id, integration_id, type, status, retriever_ref, storer_ref, children, created_at,
                      last_updated, error_code, error_message, currency, total)
with integration_weights (integration_id, weight) as (
    values (1, 26), (2, 16), (3, 14), (4, 10), (5, 13), (6, 7), (7, 8), (8, 6)
),
type_weights (type, weight) as (
    values ('order', 50), ('customer', 22), ('article', 16), ('stock', 12)
),
flow_weights as (
    select f.integration_id, f.type,
        iw.weight * tw.weight / sum(tw.weight) over (partition by f.integration_id) as weight
    from flows f
    join integration_weights iw using (integration_id)
    join type_weights tw using (type)
    where f.enabled
),
flow_ranges as (
    select integration_id, type,
        round(10000 * sum(weight) over (order by integration_id, type) / sum(weight) over ())::int as hi
    from flow_weights
),
slot_owners as (
    select s.slot, r.integration_id, r.type
    from (select *, coalesce(lag(hi) over (order by integration_id, type), 0) as lo from flow_ranges) r
    join range(10000) s(slot) on s.slot >= r.lo and s.slot < r.hi
),
-- Per type, the codes of errors that are not part of an incident; weights sum to 100.
error_weights (type, code, weight) as (
    values
        ('order', 'ARTICLE_NOT_FOUND', 30), ('order', 'VAT_CODE_MISMATCH', 14), ('order', 'CUSTOMER_EMAIL_MISSING', 10),
        ('order', 'INVOICE_ALREADY_BOOKED', 10), ('order', 'CURRENCY_NOT_ENABLED', 6), ('order', 'ACCOUNT_MISSING', 6),
        ('order', 'ADDRESS_INVALID', 6), ('order', 'DUPLICATE_DOCUMENT', 6), ('order', 'PRICE_LIST_MISSING', 4),
        ('order', 'TIMEOUT', 4), ('order', 'RATE_LIMITED', 2), ('order', 'UPSTREAM_5XX', 2),
        ('customer', 'CUSTOMER_EMAIL_MISSING', 35), ('customer', 'ADDRESS_INVALID', 35),
        ('customer', 'DUPLICATE_DOCUMENT', 20), ('customer', 'TIMEOUT', 10),
        ('article', 'PRICE_LIST_MISSING', 30), ('article', 'ACCOUNT_MISSING', 20), ('article', 'VAT_CODE_MISMATCH', 20),
        ('article', 'PAYLOAD_TOO_LARGE', 15), ('article', 'TIMEOUT', 10), ('article', 'UPSTREAM_5XX', 5),
        ('stock', 'STOCK_LOCATION_MISSING', 50), ('stock', 'ARTICLE_NOT_FOUND', 35), ('stock', 'TIMEOUT', 10),
        ('stock', 'RATE_LIMITED', 5)
),
error_slots as (
    select s.slot, w.type, w.code
    from (select *, sum(weight) over (partition by type order by code) as hi from error_weights) w
    join range(100) s(slot) on s.slot >= w.hi - w.weight and s.slot < w.hi
),
-- Keep in step with demo_transactions.sql: the same windows make the history's errors spike too.
incidents (integration_id, code, days_ago, start_hour, hours, error_share) as (
    values (1, 'RATE_LIMITED', 9, 9.0, 8.0, 0.6), (3, 'TOKEN_EXPIRED', 23, 1.0, 8.5, 0.95),
           (2, 'UPSTREAM_5XX', 47, 13.0, 3.5, 0.5)
),
incident_windows as (
    select integration_id, code as incident_code,
        epoch_us(date_trunc('day', $anchor)) - days_ago * 86400000000 + (start_hour * 3600e6)::bigint as inc_start,
        epoch_us(date_trunc('day', $anchor)) - days_ago * 86400000000
            + ((start_hour + hours) * 3600e6)::bigint as inc_end
    from incidents
),
keys as (
    select k, epoch_us($anchor) as anchor_us,
        hash(k, $seed, 'flow') % 10000 as slot,
        (hash(k, $seed, 'status') % 10000)::bigint as status_draw,
        hash(k, $seed, 'time') as ht,
        hash(k, $seed, 'detail') as hd,
        hash(k, $seed, 'shape') as hs,
        hash(k, $seed, 'money') % 100 as money_draw
    from range(1, $n + 1) r(k)
),
drawn as (
    select k.*, o.integration_id, o.type,
        case when status_draw < 600 then 'error' when status_draw < 1000 then 'pending' else 'synced' end as status,
        7200 + (ht % 10360800)::bigint as age_s,
        ((ht >> 32) % 10000)::bigint / 10000.0 as g
    from keys k
    join slot_owners o using (slot)
),
coded as (
    select d.*, w.incident_code, w.inc_start, w.inc_end,
        d.status = 'error' and w.incident_code is not null and (hd >> 8) % 100 < 45 as in_incident
    from drawn d
    left join incident_windows w using (integration_id)
),
classified as (
    select c.*,
        case when c.in_incident then c.incident_code when c.status = 'error' then e.code end as error_code
    from coded c
    left join error_slots e on e.type = c.type and e.slot = (c.hd >> 16) % 100
),
stored as (
    select *,
        case status
            when 'pending' then (hd >> 24) % 100 < 80
            when 'error' then (hd >> 24) % 100 < 40 and error_code not in (
                'INVOICE_ALREADY_BOOKED', 'DUPLICATE_DOCUMENT', 'TOKEN_EXPIRED', 'RATE_LIMITED', 'UPSTREAM_5XX')
            else false
        end as never_stored
    from classified
),
timed as (
    select *,
        case
            when in_incident then inc_start + ((hd >> 32) % 10000)::bigint * (inc_end - inc_start) // 10000
            when status = 'synced' then anchor_us - (60 + floor((age_s - 120) * g))::bigint * 1000000
            when status = 'error' then anchor_us - (60 + floor((least(age_s, 7776000) - 120) * g * g))::bigint * 1000000
            -- a few pending records have waited over an hour: the "stuck" ones an ops lead looks for
            when (hd >> 40) % 100 < 15 then anchor_us - (3600 + (hs % 18000)::bigint) * 1000000
            else anchor_us - (20 + (hs % 3000)::bigint) * 1000000
        end as last_us
    from stored
),
dated as (
    select *,
        case
            when in_incident then last_us - (3600 + (ht % 2592000)::bigint) * 1000000
            -- a new record still waiting for its first sync: queued when created, one transaction
            when status = 'pending' and never_stored then last_us
            when status = 'pending' then anchor_us - greatest(age_s, (anchor_us - last_us) // 1000000 + 3600) * 1000000
            else anchor_us - age_s * 1000000
        end as created_us,
        case type
            when 'order' then 1 + ((hs >> 20) % 10000)::bigint * ((hs >> 20) % 10000)::bigint * 12 // 100000000
            when 'article' then ((hs >> 20) % 5)::bigint
            when 'customer' then ((hs >> 20) % 3)::bigint
            else 1 + ((hs >> 20) % 3)::bigint
        end as children
    from timed
),
numbered as (
    select d.*, i.retriever, i.storer,
        row_number() over (order by d.integration_id, d.type, d.status, d.last_us, d.k) as id,
        row_number() over (partition by d.integration_id, d.type order by d.created_us, d.k) as r,
        (1 + (hs >> 40) % 3000)::bigint as line_r
    from dated d
    join integrations i on i.id = d.integration_id
),
referenced as (
    select *,
        case
            when type in ('article', 'stock') and retriever in ('Magento', 'Centra') then
                ['TENT', 'JACKET', 'BOOT', 'PACK', 'SLEEP', 'STOVE', 'SOCK', 'CAP'][1 + r % 8] || '-' || (100 + r // 8)
                || '-' || ['BLK', 'GRN', 'RED', 'BLU', 'GRY'][1 + (r // 8) % 5]
            when type in ('article', 'stock') then 'SKU-' || (10000 + r)
            when type = 'order' then
                case retriever
                    when 'WooCommerce' then 'wc-' || (58000 + r)
                    when 'Magento' then printf('%09d', 12000 + r)
                    when 'BigCommerce' then (1000 + r)::varchar
                    when 'Centra' then (30000 + r)::varchar
                    else '#' || (100000 + r)
                end
            else
                case retriever
                    when 'WooCommerce' then (1200 + r)::varchar
                    when 'Magento' then (5000 + r)::varchar
                    when 'Centra' then 'cust-' || (8000 + r)
                    else (6800000000000 + r * 7919)::varchar
                end
        end as retriever_ref,
        case
            when retriever in ('Magento', 'Centra') then
                ['TENT', 'JACKET', 'BOOT', 'PACK', 'SLEEP', 'STOVE', 'SOCK', 'CAP'][1 + line_r % 8] || '-'
                || (100 + line_r // 8) || '-' || ['BLK', 'GRN', 'RED', 'BLU', 'GRY'][1 + (line_r // 8) % 5]
            else 'SKU-' || (10000 + line_r)
        end as line_sku,
        case
            when never_stored then null
            when type = 'order' then
                case storer
                    when 'Fortnox' then 'F-' || (200000 + r)
                    when 'Visma eEkonomi' then 'VE-' || (40000 + r)
                    when 'Visma Business NXT' then 'VB-' || (700000 + r)
                    when 'SAP Business One' then (50000 + r)::varchar
                    when 'NetSuite' then 'SO' || (30000 + r)
                    else 'SO-' || (10000 + r)
                end
            when type = 'customer' then
                case storer
                    when 'Fortnox' then (10000 + r)::varchar
                    when 'Visma eEkonomi' then (5000 + r)::varchar
                    when 'Visma Business NXT' then (100000 + r)::varchar
                    when 'SAP Business One' then printf('C%06d', 20000 + r)
                    when 'NetSuite' then 'CUS' || (1000 + r)
                    else printf('C%05d', r)
                end
            else
                case storer
                    when 'Visma Business NXT' then (30000 + r)::varchar
                    when 'NetSuite' then (4000 + r)::varchar
                    when 'Microsoft Dynamics 365 Business Central' then (70000 + r)::varchar
                    else null
                end
        end as storer_code
    from numbered
),
described as (
    select *,
        case when never_stored then null else coalesce(storer_code, retriever_ref) end as storer_ref,
        case when type = 'order' then line_sku else retriever_ref end as subject_sku,
        (hd >> 48)::bigint as hm,
        case
            when type <> 'order' then null
            when money_draw < 78 then 'SEK'
            when money_draw < 88 then 'EUR'
            when money_draw < 96 then 'NOK'
            else 'USD'
        end as currency
    from referenced
)
select id, integration_id, type, status, retriever_ref, storer_ref, children,
    make_timestamp(created_us)::timestamptz, make_timestamp(last_us)::timestamptz, error_code,
    -- transient texts are repeated in demo_transactions.sql, which uses them for the history
    case error_code
        when 'RATE_LIMITED' then 'Rate limit exceeded: 429 Too Many Requests (retry after ' || (1 + hm % 30) || ' s)'
        when 'TIMEOUT' then 'Request to ' || storer || ' timed out after 30000 ms'
        when 'UPSTREAM_5XX' then ['502 Bad Gateway', '503 Service Unavailable', '504 Gateway Timeout'][1 + hm % 3]
            || ' from ' || storer || ' API'
        when 'TOKEN_EXPIRED' then 'Access token expired (401 Unauthorized); reconnect ' || storer
            || ' in the integration settings'
        when 'ARTICLE_NOT_FOUND' then 'Article ''' || subject_sku || ''' not found in ' || storer
        when 'INVOICE_ALREADY_BOOKED' then 'Invoice ' || storer_ref || ' is already booked and cannot be changed'
        when 'VAT_CODE_MISMATCH' then 'VAT code ' || [25, 12, 6][1 + hm % 3] || ' does not match account '
            || [3001, 3002, 3003, 3105][1 + (hm >> 4) % 4] || ' for ' || type || ' ' || retriever_ref
        when 'CUSTOMER_EMAIL_MISSING' then 'Customer ' || (10000 + hm % 90000) || ' has no e-mail address; '
            || 'required for e-invoice delivery'
        when 'CURRENCY_NOT_ENABLED' then 'Currency ''' || ['EUR', 'NOK', 'DKK', 'USD', 'GBP'][1 + hm % 5]
            || ''' is not enabled in ' || storer
        when 'STOCK_LOCATION_MISSING' then 'Stock location ''WH-' || (4 + hm % 6) || ''' does not exist in ' || storer
        when 'ACCOUNT_MISSING' then 'Sales account ' || (3000 + hm % 200) || ' does not exist in the chart of accounts'
        when 'PRICE_LIST_MISSING' then 'Price list ''' || ['B2B-EUR', 'RETAIL-NOK', 'OUTLET', 'B2B-SEK'][1 + hm % 4]
            || ''' not found for article ' || subject_sku
        when 'ADDRESS_INVALID' then 'Invalid postal code ''' || (100 + hm % 900) || ''' for country '
            || ['SE', 'NO', 'FI', 'DK'][1 + (hm >> 4) % 4] || ' on ' || type || ' ' || retriever_ref
        when 'DUPLICATE_DOCUMENT' then 'Document with external reference ' || retriever_ref || ' already exists ('
            || storer_ref || ')'
        when 'PAYLOAD_TOO_LARGE' then '413 Payload Too Large: request body ' || (1100 + hm % 3000)
            || ' kB exceeds the limit of 1024 kB'
    end,
    currency,
    -- the sum of the order's lines: keep in step with demo_children.sql (quantity and unit price per line)
    case when type = 'order' then list_sum(list_transform(range(1, children + 1), lambda line_no:
        (1 + (hash(id, line_no, $seed) >> 16) % 100 % 4)
        * (case when currency in ('EUR', 'USD') then [19.95, 34.95, 49.95, 129.95, 249.95]
                else [199.00, 349.00, 499.00, 1299.00, 2499.00] end)[1 + ((hash(id, line_no, $seed) >> 24) % 5)::bigint]))
    end
from described
order by id;
