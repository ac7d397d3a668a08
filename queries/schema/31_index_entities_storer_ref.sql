-- Creates an ART index on entities.storer_ref, for the exact lookup on the storer side.
create index if not exists entities_storer_ref on entities (storer_ref);
