-- Returns 1: the bench's floor, the cost of one round trip through the runner with no data touched.
-- (no parameters)
select 1 as one;
