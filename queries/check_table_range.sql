-- Returns one row (rows, digest) after reading every column of the rows with row ids in [lo, hi): hashing the
-- whole row forces each column's blocks to be read and checksummed, so a damaged block fails here.
-- @ident table = entities
-- @param lo bigint = 0
-- @param hi bigint = 2048
select count(*) as rows, bit_xor(hash(t)) as digest
from (select * from {{table}} where rowid >= $lo and rowid < $hi) as t
