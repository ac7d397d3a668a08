-- Money has a currency: a child's amount (an order line's price, an article's list price) carries its ISO 4217
-- code. Null where the source did not say (rows from before this version): the page then says the currency is unknown.
alter table children add column currency varchar;
