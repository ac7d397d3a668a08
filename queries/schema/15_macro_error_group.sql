-- Defines error_group(message): the message with its variable parts replaced by readable placeholders, so
-- "Article 'SKU-1' not found" and "Article 'SKU-98' not found" are one group. The one place for these rules
-- (tests/test_error_groups.py), applied in this order so a wider pattern wins over the parts it contains:
--   e-mail addresses -> <email>; UUIDs -> <id>; ISO dates and timestamps -> <date>;
--   amounts with a currency ("1 234,50 SEK", "€12.00", "NOK 99") -> <amount>; SKUs -> <sku>;
--   other quoted values -> '<value>'; other references with a digit (F-5001, wc-c-77, SO30001) -> <id>;
--   "#104523" -> <number>; plain numbers -> <number>, except an HTTP status before its reason
--   ("429 Too Many Requests"), which says what happened and stays; runs of whitespace -> one space.
create or replace macro error_group(message) as
    trim(regexp_replace(replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(message,
        '[\w.+-]+@[\w-]+(\.[\w-]+)+', '<email>', 'g'),
        '(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b', '<id>', 'g'),
        '\b\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?', '<date>', 'g'),
        '([€$£]\s?-?\d+([  .,]\d{3})*([.,]\d+)?|\b(SEK|EUR|NOK|DKK|USD|GBP)\s?-?\d+([  .,]\d{3})*([.,]\d+)?'
            || '|-?\b\d+([  .,]\d{3})*([.,]\d+)?\s?(SEK|EUR|NOK|DKK|USD|GBP|kr|:-)(\b|$|\s))',
        '<amount> ', 'g'),
        '(?i)\bsku[-_]?\d[\w-]*', '<sku>', 'g'),
        '(^|[^\w])(''([^''<][^'']*)?''|"([^"<][^"]*)?")', '\1''<value>''', 'g'),
        '\b[A-Za-z][\w-]*\d[\w-]*', '<id>', 'g'),
        '#\d+\b', '<number>', 'g'),
        '\b([1-5]\d\d) ([A-Z][a-z])', chr(1) || '\1 \2', 'g'),
        '(^|[^\w\x01])\d+([.,]\d+)*', '\1<number>', 'g'),
    chr(1), ''), '\s\s+|[\t\n\r]', ' ', 'g'));
