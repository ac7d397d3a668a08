-- Batched webhook (issue 13): a per-integration batch size for the retry worker (null = the default in
-- entities/sync/policy.py: ENTITIES_WEBHOOK_BATCH, else 1 = one call per record), and the error a batched answer
-- gives a request it left out (transient: the policy retries it).
alter table retry_policies add column batch_size integer;

insert or ignore into error_codes (code, severity, transient, title, cause, fix) values
    ('WEBHOOK_RESULT_MISSING', 'medium', true, 'No result in the batched answer',
     'The retry target answered a batched call without a result for this request (matched by request_id).',
     'None needed: the policy retries it. If it repeats, check that the target answers every request of a batch.');
