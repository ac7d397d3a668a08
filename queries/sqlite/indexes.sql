-- Creates the SQLite baseline's indexes: the list's filter and sort, each reference, history by entity.
create index entities_list on entities (integration_id, type, status, last_us);
create index entities_retriever_ref on entities (retriever_ref);
create index entities_storer_ref on entities (storer_ref);
create index entities_last_us on entities (last_us);
create index transactions_entity on transactions (entity_id, occurred_us);
analyze;
