-- Attaches a database file under the alias compact_source or compact_target ({{alias}}, allowlisted).
-- @ident alias = compact_source
-- @param path varchar = ':memory:'
attach $path as {{alias}};
