-- Copies every table, sequence, macro and index of compact_source into compact_target (entities prune --compact).
-- Returns nothing useful.
-- @test-setup attach ':memory:' as compact_source; attach ':memory:' as compact_target;
copy from database compact_source to compact_target;
