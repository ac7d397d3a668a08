-- Appends one audit row; returns its id.
-- @param actor varchar = 'ops@example.com'
-- @param actor_subject varchar = 'sub-1'
-- @param actor_kind varchar = 'user'
-- @param action varchar = 'group.resolve'
-- @param target varchar = 'group 7'
-- @param detail varchar = 'resolved by hand'
insert into audit_log (actor, actor_subject, actor_kind, action, target, detail)
values ($actor, $actor_subject, $actor_kind, $action, $target, $detail)
returning id;
