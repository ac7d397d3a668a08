-- Defines entity_filter_group(...): entity_filter (same arguments and columns) restricted to the records whose
-- error_group(error_message) equals p_group. A macro of its own so only a group filter pays for binding the
-- error_group() regular expressions; queries reach it through the runner's {{filter}} slot.
create or replace macro entity_filter_group(p_integration, p_type, p_statuses, p_q, p_from, p_to, p_group) as table
select f.*
from entity_filter(p_integration, p_type, p_statuses, p_q, p_from, p_to, null) as f
where error_group(f.error_message) = p_group;
