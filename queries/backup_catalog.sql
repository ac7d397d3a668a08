-- Returns the name of this connection's database (its catalog), which a backup copies from.
-- (no parameters)
select current_database() as catalog
