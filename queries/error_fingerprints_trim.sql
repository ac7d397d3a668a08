-- Deletes the memoised fingerprints of messages no record is in error with any more; returns nothing.
delete from error_fingerprints
where message not in (
    select coalesce(error_message, '') from entities where status = 'error'
);
