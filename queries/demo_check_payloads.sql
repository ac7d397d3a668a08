-- Returns one row: responses that are not valid JSON, payloads over 1 MB, and the transaction count.
-- (no parameters)
select
    count(*) filter (where response_payload is not null and not json_valid(response_payload)) as not_json,
    count(*) filter (where length(response_payload) > 1000000 or length(request_payload) > 1000000) as over_1mb,
    count(*) as transactions
from transactions;
