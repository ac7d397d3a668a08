-- Returns the distinct actors and actions of the change log, for the filters: facet ('actor' or 'action'), value.
select 'actor' as facet, actor as value from audit_log group by actor
union all
select 'action', action from audit_log group by action
order by facet, value;
