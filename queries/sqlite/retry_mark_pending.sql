-- Marks one entity pending (the retry request's first write).
update entities set status = 'pending', last_us = $now_us where id = $entity_id;
