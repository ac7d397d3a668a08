-- Creates the transaction id sequence.
create sequence if not exists transaction_ids start 1;
