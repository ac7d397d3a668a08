-- Returns every row of the list filter for the CSV export, in list order (default sort), last_updated as ISO UTC.
select status, retriever_ref, storer_ref, children,
    strftime('%Y-%m-%dT%H:%M:%SZ', last_us / 1000000, 'unixepoch') as last_updated, error_code, error_message, id
from entities
where integration_id = $integration
    and type = $type
    and status in (select value from json_each($statuses))
order by last_us desc, id;
