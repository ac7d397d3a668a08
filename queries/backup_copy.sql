-- Copies every table, view, sequence, macro and index of this database into entities_backup, in one transaction
-- (one consistent point in time, while other sessions keep writing). Returns nothing.
-- @needs backup_attach
-- @ident catalog = fixture
copy from database {{catalog}} to entities_backup
