-- Records the uses of one token since the last flush: adds $uses to use_count and moves last_used_at forward.
-- @param id bigint = 1
-- @param uses bigint = 3
-- @param last_used_at timestamptz = '2026-11-26 12:00:00+00'
update api_tokens set use_count = use_count + $uses,
    last_used_at = greatest(coalesce(last_used_at, $last_used_at), $last_used_at)
where id = $id;
