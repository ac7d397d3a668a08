-- Writes everything to the database file and truncates the WAL. Returns nothing useful.
-- (no parameters)
checkpoint;
