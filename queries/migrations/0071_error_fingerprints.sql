-- A memo of error_group(message) per distinct error message: the group refresh and the error-group recount
-- join it instead of running error_group()'s ten regular expressions over every message in error on every data
-- change (at 1M entities those took about half of the ~0.6 CPU-s a refresh cost). A pure function's cache:
-- filled by error_fingerprints_fill.sql before each refresh, trimmed to the messages in error by
-- error_fingerprints_trim.sql, and never needed for correctness (readers fall back to error_group()).
create table if not exists error_fingerprints (
    message varchar primary key,
    fingerprint varchar not null
);
