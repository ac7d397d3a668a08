-- Defines entity_filter(...): THE list filter, as a table macro. Every list query (page, count, status
-- breakdown, CSV export, bulk retry) selects from it, so "the records matching the current list" means one thing.
--   p_integration integer       the integration
--   p_type        varchar       entity type; null = every type
--   p_statuses    varchar[]     statuses to keep; empty = all
--   p_q           varchar       reference search on retriever or storer ref, case-insensitive and literal
--                               (contains(), never LIKE, so % _ \ are plain characters); null or '' = no search
--   p_from, p_to  timestamptz   last_updated in [p_from, p_to); null = open
--   p_group       must be null: the runner picks entity_filter_group (21_macro_entity_filter_group.sql) when an
--                 error group is given, so the common path never binds error_group()'s ten regular expressions
--                 (~0.8 ms of every list query at any scale)
-- Returns the entity columns plus match_rank: 0 = exact match on either reference (or no search), 1 = substring.
create or replace macro entity_filter(p_integration, p_type, p_statuses, p_q, p_from, p_to, p_group) as table
select
    e.id,
    e.integration_id,
    e.type,
    e.status,
    e.retriever_ref,
    e.storer_ref,
    e.children,
    e.created_at,
    e.last_updated,
    e.error_code,
    e.error_message,
    case
        when coalesce(p_q, '') = '' then 0
        when lower(e.retriever_ref) = lower(p_q) or lower(e.storer_ref) = lower(p_q) then 0
        else 1
    end as match_rank
from entities as e
where e.integration_id = p_integration
    and (p_type is null or e.type = p_type)
    and (len(p_statuses) = 0 or list_contains(p_statuses, e.status))
    and (
        coalesce(p_q, '') = ''
        or contains(lower(e.retriever_ref), lower(p_q))
        or contains(lower(coalesce(e.storer_ref, '')), lower(p_q))
    )
    and (p_from is null or e.last_updated >= p_from)
    and (p_to is null or e.last_updated < p_to)
    and p_group is null;
