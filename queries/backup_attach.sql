-- Attaches the (new) backup file as entities_backup, writable even when the app itself is read-only.
-- Returns nothing. Followed by backup_copy and backup_detach.
-- @param path varchar = ':memory:'
attach $path as entities_backup (read_only false)
