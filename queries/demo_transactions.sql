-- Inserts the sync history of entities $lo..$hi with ids from $first_id on, in (entity_id, occurred_at) order.
-- Per entity 3..25 operations (1 for a new record still pending): a create, then updates; an error is followed by a retry; the last one's outcome
-- is the entity's status at entities.last_updated. Errors spike inside the incident windows. Payloads are
-- compact platform-shaped JSON; about 0.3 % of responses are not JSON and a few article catalogues exceed 1 MB.
-- Deterministic from hash(entity_id, step, $seed) and $anchor. Returns the row count.
-- @param lo bigint = 1
-- @param hi bigint = 0
-- @param first_id bigint = 1
-- @param seed bigint = 42
-- @param anchor timestamptz = '2026-11-26 12:00:00+00'
insert into transactions (id, entity_id, occurred_at, operation, outcome, error_code, message, request_payload,
                          response_payload, duration_ms, actor)
-- Keep in step with demo_entities.sql, which puts failed entities into the same windows.
with incidents (integration_id, code, days_ago, start_hour, hours, error_share) as (
    values (1, 'RATE_LIMITED', 9, 9.0, 8.0, 0.6), (3, 'TOKEN_EXPIRED', 23, 1.0, 8.5, 0.95),
           (2, 'UPSTREAM_5XX', 47, 13.0, 3.5, 0.5)
),
incident_windows as (
    select integration_id, code as incident_code, (error_share * 100)::bigint as incident_percent,
        epoch_us(date_trunc('day', $anchor)) - days_ago * 86400000000 + (start_hour * 3600e6)::bigint as inc_start,
        epoch_us(date_trunc('day', $anchor)) - days_ago * 86400000000
            + ((start_hour + hours) * 3600e6)::bigint as inc_end
    from incidents
),
chunk as (
    select e.id, e.integration_id, e.type, e.status, e.retriever_ref, e.storer_ref, e.children, e.error_code,
        e.error_message, i.storer, e.currency as order_currency, e.total as order_total, w.incident_code, w.incident_percent,
        coalesce(w.inc_start, 0) as inc_start, coalesce(w.inc_end, 0) as inc_end,
        e.storer_ref is null as never_stored,
        epoch_us(e.created_at) as c_us,
        epoch_us(e.last_updated) - epoch_us(e.created_at) as span,
        hash(e.id, $seed, 'history') as he,
        case
            -- a new record still waiting for its first sync has only its queued create
            when e.storer_ref is null and e.status = 'pending' then 1
            when e.storer_ref is null then 3 + (hash(e.id, $seed, 'history') % 3)::bigint
            else 3 + ((hash(e.id, $seed, 'history') >> 20) % 1000)::bigint
                * ((hash(e.id, $seed, 'history') >> 20) % 1000)::bigint * 23 // 1000000
        end as cnt
    from entities e
    join integrations i on i.id = e.integration_id
    left join incident_windows w on w.integration_id = e.integration_id
    where e.id between $lo and $hi
),
shaped as (
    select *,
        (he % 8)::bigint as who,
        coalesce(order_currency, ['SEK', 'SEK', 'SEK', 'NOK', 'EUR', 'DKK'][1 + ((he >> 8) % 6)::bigint]) as currency,
        (199 + (he >> 12) % 9800)::bigint as price,
        case type
            when 'order' then '{"order":{"name":"' || retriever_ref || '","email":"'
                || ['anna.berg', 'erik.holm', 'sara.lind', 'olle.ek', 'lina.sjo', 'nils.falk', 'maja.ros', 'per.ask'][1 + who]
                || '@example.com","customer":{"id":' || (6800000000000 + (he >> 20) % 900000)
                || ',"first_name":"' || ['Anna', 'Erik', 'Sara', 'Olle', 'Lina', 'Nils', 'Maja', 'Per'][1 + who]
                || '","last_name":"' || ['Berg', 'Holm', 'Lind', 'Ek', 'Sjö', 'Falk', 'Ros', 'Ask'][1 + who]
                || '"},"billing_address":{"address1":"Storgatan ' || (1 + (he >> 40) % 90) || '","zip":"'
                || ['11122', '41103', '21119', '75320', '90326', '0150', '00100', '1050'][1 + who] || '","city":"'
                || ['Stockholm', 'Göteborg', 'Malmö', 'Uppsala', 'Umeå', 'Oslo', 'Helsinki', 'København'][1 + who]
                || '","country_code":"' || ['SE', 'SE', 'SE', 'SE', 'SE', 'NO', 'FI', 'DK'][1 + who]
                || '"},"currency":"' || currency || '","line_items":[{"sku":"SKU-' || (10001 + (he >> 30) % 3000)
                || '","quantity":' || (1 + (he >> 50) % 3) || ',"price":"' || price || '.00","tax_lines":[{"rate":0.25}]}]'
                || ',"line_count":' || children || ',"total_price":"'
                || coalesce(order_total, price * children)::decimal(14, 2) || '","total_tax":"'
                || (coalesce(order_total, price * children) / 5)::decimal(14, 2) || '"'
            when 'article' then '{"product":{"sku":"' || retriever_ref || '","title":"'
                || ['Trail tent 2P', 'Down jacket', 'Hiking boot', 'Daypack 30 l', 'Sleeping bag -5', 'Camp stove',
                    'Merino socks', 'Wool cap'][1 + who] || '","unit":"st","vat_rate":25,"variants":' || children
                || ',"price":"' || price
            when 'customer' then '{"customer":{"id":"' || retriever_ref || '","first_name":"'
                || ['Anna', 'Erik', 'Sara', 'Olle', 'Lina', 'Nils', 'Maja', 'Per'][1 + who] || '","last_name":"'
                || ['Berg', 'Holm', 'Lind', 'Ek', 'Sjö', 'Falk', 'Ros', 'Ask'][1 + who] || '","email":"'
                || ['anna.berg', 'erik.holm', 'sara.lind', 'olle.ek', 'lina.sjo', 'nils.falk', 'maja.ros', 'per.ask'][1 + who]
                || '@example.com","address":{"zip":"'
                || ['11122', '41103', '21119', '75320', '90326', '0150', '00100', '1050'][1 + who] || '","city":"'
                || ['Stockholm', 'Göteborg', 'Malmö', 'Uppsala', 'Umeå', 'Oslo', 'Helsinki', 'København'][1 + who]
                || '","country":"' || ['SE', 'SE', 'SE', 'SE', 'SE', 'NO', 'FI', 'DK'][1 + who] || '"}'
            else '{"inventory_level":{"sku":"' || retriever_ref || '","locations":' || children || ',"available":'
        end as request_head,
        case storer
            when 'Fortnox' then '{"' || ['Invoice', 'Customer', 'Article', 'Article'][type_no] || '":{"'
                || ['DocumentNumber', 'CustomerNumber', 'ArticleNumber', 'ArticleNumber'][type_no] || '":"'
                || storer_ref || '","@url":"https://api.fortnox.se/3/'
                || ['invoices', 'customers', 'articles', 'articles'][type_no] || '/' || storer_ref || '"}}'
            when 'Visma eEkonomi' then '{"Id":"' || printf('%016x', he) || '","Number":"' || storer_ref
                || '","ModifiedUtc":"' || strftime(make_timestamp(c_us + span), '%Y-%m-%dT%H:%M:%S') || '"}'
            when 'Visma Business NXT' then '{"data":{"useCompany":{"' || ['order', 'associate', 'product', 'product'][type_no]
                || '_update":{"affectedRows":1,"items":[{"no":"' || storer_ref || '"}]}}}}'
            when 'SAP Business One' then '{"' || ['DocNum', 'CardCode', 'ItemCode', 'ItemCode'][type_no] || '":"'
                || storer_ref || '","DocEntry":' || (he >> 44) % 100000 || '}'
            when 'NetSuite' then '{"id":"' || (he >> 36) % 1000000 || '","tranId":"' || storer_ref || '"}'
            else '{"@odata.etag":"W/' || (he >> 30) % 10000000 || '","id":"' || printf('%016x', he) || '","number":"'
                || storer_ref || '"}'
        end as response_ok
    from (select *, case type when 'order' then 1 when 'customer' then 2 when 'article' then 3 else 4 end as type_no
          from chunk)
),
numbered as (
    select *, $first_id + sum(cnt) over (order by id) - cnt as first_tx,
        -- a few article records answer with a whole product catalogue: the > 1 MB payloads
        type = 'article' and (he >> 4) % 20000 = 0 or id in (
            select min(id) from entities where type = 'article' and status = 'synced' group by integration_id) as huge
    from shaped
),
steps as (
    select n.*, unnest(range(n.cnt)) as step from numbered n
),
timed as (
    select *,
        hash(id, step, $seed) as h,
        case
            when step = 0 then c_us
            when step = cnt - 1 then c_us + span
            else c_us + span * (step * 1000 + (hash(id, step, $seed) % 800)::bigint) // ((cnt - 1) * 1000)
        end as t_us,
        case
            when step = 1 then c_us
            when step > 1 then c_us + span * ((step - 1) * 1000 + (hash(id, step - 1, $seed) % 800)::bigint)
                // ((cnt - 1) * 1000)
        end as prev_us,
        hash(id, step - 1, $seed) as prev_h
    from steps
),
decided as (
    select *,
        case
            when step = cnt - 1 then case status when 'synced' then 'success' else status end
            when never_stored then 'error'
            when step > 0 and t_us between inc_start and inc_end and (h >> 20) % 100 < incident_percent then 'error'
            when step > 0 and (h >> 20) % 1000 < 40 then 'error'
            else 'success'
        end as outcome,
        step > 0 and (
            never_stored
            or (step > 1 and prev_us between inc_start and inc_end and (prev_h >> 20) % 100 < incident_percent)
            or (step > 1 and (prev_h >> 20) % 1000 < 40)
        ) as after_error,
        t_us between inc_start and inc_end as in_incident
    from timed
),
coded as (
    select *,
        case
            when outcome <> 'error' then null
            when step = cnt - 1 or (status = 'error' and (h >> 30) % 2 = 0) then error_code
            when in_incident then incident_code
            else ['RATE_LIMITED', 'TIMEOUT', 'UPSTREAM_5XX', 'TIMEOUT', 'RATE_LIMITED'][1 + ((h >> 30) % 5)::bigint]
        end as code
    from decided
),
worded as (
    select *,
        case
            when outcome = 'pending' then 'Queued for sync'
            when outcome <> 'error' then null
            when code = error_code then error_message
            when code = 'RATE_LIMITED' then 'Rate limit exceeded: 429 Too Many Requests (retry after '
                || (1 + (h >> 40) % 30) || ' s)'
            when code = 'TIMEOUT' then 'Request to ' || storer || ' timed out after 30000 ms'
            when code = 'UPSTREAM_5XX' then ['502 Bad Gateway', '503 Service Unavailable', '504 Gateway Timeout'][
                1 + ((h >> 40) % 3)::bigint] || ' from ' || storer || ' API'
            else 'Access token expired (401 Unauthorized); reconnect ' || storer || ' in the integration settings'
        end as message
    from coded
)
select first_tx + step,
    id,
    make_timestamp(t_us)::timestamptz,
    case
        when step = 0 then 'create'
        when outcome = 'pending' then 'update'
        when after_error then 'retry'
        else 'update'
    end,
    outcome,
    code,
    message,
    request_head || case type
        when 'order' then ',"financial_status":"' || ['paid', 'paid', 'authorized', 'partially_refunded'][
            1 + ((h >> 8) % 4)::bigint] || '"}}'
        when 'article' then '.00","updated_seq":' || step || '}}'
        when 'customer' then ',"orders_count":' || step || '}}'
        else (h >> 8) % 400 || '}}'
    end,
    case
        when outcome = 'pending' then null
        when outcome = 'success' and step = 0 and huge then '{"products":[' || repeat('{"sku":"' || retriever_ref
            || '","title":"Trail tent 2P","variants":[{"sku":"' || retriever_ref
            || '-S","price":"1299.00","inventory_quantity":12},{"sku":"' || retriever_ref
            || '-M","price":"1299.00","inventory_quantity":7}],"tags":"outdoor,camping,summer"},', 5000)
            || '{"sku":"' || retriever_ref || '"}]}'
        -- a proxy in front of the storer answers 5xx with HTML, and now and then a body arrives cut off
        when outcome = 'success' and (h >> 52) % 1000 = 0 then left(response_ok, length(response_ok) // 2)
        when outcome = 'success' then response_ok
        when code = 'UPSTREAM_5XX' and (h >> 56) % 5 = 0 then '<html><head><title>' || left(message, 15)
            || '</title></head><body><center><h1>' || left(message, 15)
            || '</h1></center><hr><center>nginx</center></body></html>'
        else case storer
            when 'Fortnox' then '{"ErrorInformation":{"error":1,"message":' || to_json(message) || ',"code":'
                || 2000000 + (h >> 40) % 1000 || '}}'
            when 'Visma eEkonomi' then '{"ErrorCode":' || 4000 + (h >> 40) % 100 || ',"DeveloperErrorMessage":'
                || to_json(message) || '}'
            when 'Visma Business NXT' then '{"errors":[{"message":' || to_json(message) || ',"extensions":{"code":"'
                || code || '"}}]}'
            when 'SAP Business One' then '{"error":{"code":-' || 1 + (h >> 40) % 5000
                || ',"message":{"lang":"en-us","value":' || to_json(message) || '}}}'
            when 'NetSuite' then '{"title":"Bad Request","status":400,"o:errorDetails":[{"detail":' || to_json(message)
                || ',"o:errorCode":"' || code || '"}]}'
            else '{"error":{"code":"' || code || '","message":' || to_json(message) || '}}'
        end
    end,
    case
        when outcome = 'pending' then null
        when code = 'TIMEOUT' then 30000 + ((h >> 8) % 500)::int
        when code = 'RATE_LIMITED' then 20 + ((h >> 8) % 150)::int
        else 50 + ((h >> 8) % 1000)::int * ((h >> 8) % 1000)::int // 400
    end,
    case
        when step = 0 or outcome = 'pending' then 'sync-engine'
        when after_error and (h >> 44) % 100 < 8 then
            ['anna.karlsson', 'erik.lindqvist', 'maja.nilsson', 'johan.berg'][1 + ((h >> 60) % 4)::bigint] || '@'
            || ['nordicoutdoor.se', 'fjallklader.se', 'baltichome.lt', 'skargarddesign.se', 'polarprogear.no',
                'lagomliving.se', 'vikingbikes.dk', 'nordstudio.se'][integration_id]
        when after_error then 'scheduler'
        when (h >> 44) % 10 < 7 then 'sync-engine'
        else 'webhook'
    end
from worded
order by id, step;
