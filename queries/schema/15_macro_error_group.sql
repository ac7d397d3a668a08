-- Defines error_group(message): the message with its variable parts (quoted values, references, amounts,
-- numbers) replaced by placeholders, so "Article 'SKU-1' not found" and "Article 'SKU-98' not found" group.
create or replace macro error_group(message) as
    regexp_replace(
        regexp_replace(
            regexp_replace(message, '''[^'']*''|"[^"]*"', '<value>', 'g'),
            '#?\b[A-Za-z]*[-_]?\d[\w-]*', '<ref>', 'g'),
        '\s+', ' ', 'g');
