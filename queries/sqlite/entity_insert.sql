-- Inserts one entity row (executemany from Arrow batches of bench_load_entities).
insert into entities values ($id, $integration_id, $type, $status, $retriever_ref, $storer_ref, $children, $last_us,
    $error_code, $error_message);
