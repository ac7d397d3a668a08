-- Inserts (or replaces) the eight demo integrations: real retriever -> storer platform pairs. Returns the row count.
-- (no parameters)
insert into integrations (id, name, retriever, storer) values
    (1, 'Nordic Outdoor', 'Shopify', 'Fortnox'),
    (2, 'Fjällkläder', 'WooCommerce', 'Visma eEkonomi'),
    (3, 'Baltic Home', 'Magento', 'Microsoft Dynamics 365 Business Central'),
    (4, 'Skärgård Design', 'Shopify', 'Visma Business NXT'),
    (5, 'Polar Pro Gear', 'Shopify Plus', 'SAP Business One'),
    (6, 'Lagom Living', 'WooCommerce', 'Fortnox'),
    (7, 'Viking Bikes', 'BigCommerce', 'NetSuite'),
    (8, 'Nord Studio', 'Centra', 'Microsoft Dynamics 365 Business Central')
on conflict (id) do update set name = excluded.name, retriever = excluded.retriever, storer = excluded.storer;
