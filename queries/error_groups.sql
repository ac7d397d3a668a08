-- Returns the error groups of records currently in error, per integration and type (the list's scope): the
-- normalised message (error_group), affected records, first and last seen (their last_updated), the most
-- common error code with its severity and title, and the latest example message. All integrations when
-- $integration is null. Largest groups first. Each distinct message is normalised once (the regexes dominate);
-- times aggregate as epoch microseconds, cheaper than timestamptz min/max.
-- @param integration integer = 1
with messages as (
    select
        integration_id,
        type,
        error_message,
        error_code,
        count(*) as records,
        min(epoch_us(last_updated)) as first_us,
        max(epoch_us(last_updated)) as last_us
    from entities
    where status = 'error' and ($integration is null or integration_id = $integration)
    group by all
),
grouped as (
    select
        integration_id,
        type,
        error_group(error_message) as error_group,
        sum(records) as records,
        min(first_us) as first_us,
        max(last_us) as last_us,
        arg_max(error_code, records) as error_code,
        arg_max(error_message, last_us) as example
    from messages
    group by all
)
select
    g.integration_id,
    i.name as integration,
    g.type,
    g.error_group,
    g.records,
    to_timestamp(g.first_us / 1000000) as first_seen,
    to_timestamp(g.last_us / 1000000) as last_seen,
    g.error_code,
    c.severity,
    c.title,
    g.example
from grouped as g
join integrations as i on i.id = g.integration_id
left join error_codes as c on c.code = g.error_code
order by g.records desc, g.integration_id, g.type, g.error_group;
