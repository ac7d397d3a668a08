-- Transactions made by this app (retry requests' pending rows, retry outcomes) take ids from their own key space,
-- the negative numbers, counting down: the sync engine's ids are natural keys >= 1 (the importer rejects others),
-- so the two can never collide, whichever comes first. transaction_ids stays for loaders that have no ids.
create sequence if not exists app_transaction_ids start -1 increment by -1 maxvalue -1;
