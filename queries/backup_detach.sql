-- Detaches the backup file, which closes and flushes it. Returns nothing.
-- @needs backup_attach
-- (no parameters)
detach entities_backup
