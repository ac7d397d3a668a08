-- Creates the id sequences used by writes; loaders move them past the loaded ids (sequences_advance.sql).
create sequence if not exists entity_ids start 1;
