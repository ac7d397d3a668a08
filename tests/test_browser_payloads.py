"""In a real browser: the raw-data view shows payload numbers exactly as stored, never through a JS double."""
import json

import pytest

from entities.cli import main

pytestmark = pytest.mark.browser

SHOPIFY_ID = "820982911946154508"


def test_raw_data_shows_an_18_digit_id_exactly(server_factory, fixture_db, page, tmp_path):
    """An ops lead opens an order whose request holds a Shopify line-item id: the id reads exactly as sent."""
    row = {"id": 880001, "integration_id": 1, "entity_type": "order", "entity_ref": "#1001",
           "occurred_at": "2026-11-30T10:00:00Z", "operation": "update", "outcome": "error", "actor": "sync-engine"}
    line = (json.dumps(row)[:-1] + f', "request_payload": {{"line_items": [{{"id": {SHOPIFY_ID}, '
            '"price": 1.50}]}}\n')
    path = tmp_path / "transactions.jsonl"
    path.write_text(line)
    assert main(["import", "--db", str(fixture_db), str(path)]) == 0
    server = server_factory(fixture_db)

    page.goto(f"{server.url}/entity?id=1")
    page.get_by_role("tab", name="Raw data").click()
    page.get_by_text(SHOPIFY_ID).first.wait_for()

    body = page.locator("[data-testid='stCode']", has_text=SHOPIFY_ID).first.inner_text()
    assert SHOPIFY_ID in body and "1.50" in body and "820982911946154500" not in body
    page.screenshot(path="/tmp/shots/fidelity-raw-data.png", full_page=True)
