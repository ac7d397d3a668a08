-- Inserts one transaction row (executemany from Arrow batches of bench_load_transactions).
insert into transactions values ($id, $entity_id, $occurred_us, $operation, $outcome, $error_code, $message,
    $duration_ms, $actor, $request_chars, $response_chars);
