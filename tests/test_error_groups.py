"""error_group(): the one set of normalisation rules, on realistic sync error messages."""
import duckdb
import pytest

import queries


@pytest.fixture(scope="module")
def memory():
    con = duckdb.connect()
    queries.create_schema(con)
    yield con
    con.close()


def group(con, message):
    return con.execute("select error_group($m)", {"m": message}).fetchone()[0]


@pytest.mark.parametrize(("message", "expected"), [
    ("Article 'SKU-1234' not found in Fortnox", "Article '<sku>' not found in Fortnox"),
    ("Rate limit exceeded: 429 Too Many Requests (retry after 12 s)",
     "Rate limit exceeded: 429 Too Many Requests (retry after <number> s)"),
    ("VAT code 25 does not match account 3001 for order #104523",
     "VAT code <number> does not match account <number> for order <number>"),
    ("Order total 1 234,50 SEK differs from payment €12.00", "Order total <amount> differs from payment <amount>"),
    ("Refund of 99 kr exceeds NOK 1 500", "Refund of <amount> exceeds <amount>"),
    ("Customer anna.karlsson@nordicoutdoor.se already exists", "Customer <email> already exists"),
    ("Job 0b6f7c4e-3d1a-4f8e-9a2b-1c2d3e4f5a6b failed", "Job <id> failed"),
    ("Invoice date 2026-11-26T10:15:00Z is before 2026-11-01", "Invoice date <date> is before <date>"),
    ("Invoice F-5001 is already booked and cannot be changed", "Invoice <id> is already booked and cannot be changed"),
    ("Customer wc-c-77 has no email address", "Customer <id> has no email address"),
    ("Request to Fortnox timed out after 30000 ms", "Request to Fortnox timed out after <number> ms"),
    ("Invalid postal code '123' for country SE on order wc-58001",
     "Invalid postal code '<value>' for country SE on order <id>"),
    ("Price list 'B2B-EUR' not found for article TENT-100-BLK", "Price list '<value>' not found for article <id>"),
    ("Currency \"NOK\" is not enabled in Visma eEkonomi", "Currency '<value>' is not enabled in Visma eEkonomi"),
    ("413 Payload Too Large: request body 1100 kB exceeds the limit of 1024 kB",
     "413 Payload Too Large: request body <number> kB exceeds the limit of <number> kB"),
    ("Access token expired (401 Unauthorized); reconnect Fortnox",
     "Access token expired (401 Unauthorized); reconnect Fortnox"),
    ("Customer's e-mail is missing", "Customer's e-mail is missing"),
    ("  Stock   location 'WH-4'\tdoes not exist ", "Stock location '<value>' does not exist"),
    ("Article not found", "Article not found"),
])
def test_message_normalises_to_readable_group(memory, message, expected):
    """An ops lead sees the message's fixed text with its variable parts as named placeholders."""
    assert group(memory, message) == expected


@pytest.mark.parametrize(("first", "second"), [
    ("Article 'SKU-1234' not found in Fortnox", "Article 'SKU-98' not found in Fortnox"),
    ("Rate limit exceeded: 429 Too Many Requests (retry after 12 s)",
     "Rate limit exceeded: 429 Too Many Requests (retry after 3 s)"),
    ("VAT code 25 does not match account 3001 for order #104523",
     "VAT code 12 does not match account 3105 for order #99"),
    ("Order total 1 234,50 SEK differs", "Order total 7,00 SEK differs"),
    ("Payment €12.00 rejected", "Payment $1,299.95 rejected"),
    ("Customer a@example.com already exists", "Customer ops.lead+shop@hem-tradgard.se already exists"),
    ("Invoice F-5001 is already booked", "Invoice VE-40017 is already booked"),
    ("Document with external reference #100123 already exists (F-200123)",
     "Document with external reference #100999 already exists (F-200999)"),
    ("Sync window 2026-11-01 to 2026-11-02 closed", "Sync window 2025-01-31 to 2025-02-01 closed"),
])
def test_messages_differing_only_in_values_share_a_group(memory, first, second):
    """Two records failing for the same reason land in one error group."""
    assert group(memory, first) == group(memory, second)


@pytest.mark.parametrize(("first", "second"), [
    ("Article not found", "Customer not found"),
    ("Article 'SKU-1' not found in Fortnox", "Article 'SKU-1' not found in Visma eEkonomi"),
    ("502 Bad Gateway from Fortnox API", "503 Service Unavailable from Fortnox API"),
    ("Invoice F-5001 is already booked", "Invoice F-5001 is already paid"),
])
def test_different_reasons_stay_apart(memory, first, second):
    """Records failing for different reasons are not merged into one group."""
    assert group(memory, first) != group(memory, second)


def test_missing_message_has_no_group(memory):
    """A record in error without a message has no group (rather than an empty one)."""
    assert group(memory, None) is None
