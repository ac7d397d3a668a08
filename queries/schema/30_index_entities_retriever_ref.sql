-- Creates an ART index on entities.retriever_ref: an exact lookup by reference reads a few rows instead of scanning
-- the table (bench_entity_lookup.sql takes a union of two equality lookups so each side uses its own index).
create index if not exists entities_retriever_ref on entities (retriever_ref);
