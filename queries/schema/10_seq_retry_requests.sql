-- Creates the retry request id sequence.
create sequence if not exists retry_request_ids start 1;
