"""In a real browser: a record posted through the API shows in the list at the next page load."""
import json

import httpx
import pytest
from playwright.sync_api import expect
from test_api_ingest import make_tokens
from test_browser_list import settled

pytestmark = pytest.mark.browser


def test_error_posted_through_the_api_shows_at_the_next_page_load(server_factory, fixture_db, page):
    """An ops lead has the order list open; the sync engine posts a failed order; reloading shows it, as an error."""
    made = make_tokens(fixture_db)
    server = server_factory(fixture_db)
    page.goto(f"{server.url}/?integration=1&type=order")
    page.get_by_text("8 orders · showing 1–8").wait_for()
    settled(page)
    record = {"kind": "entities", "integration_id": 1, "type": "order", "retriever_ref": "#LIVE-1", "status": "error",
              "last_updated": "2026-11-26T12:30:00Z", "error_code": "TIMEOUT", "error_message": "timed out"}
    response = httpx.post(f"{server.url}/api/v1/events", content=json.dumps(record).encode(), timeout=60,
                          headers={"Authorization": f"Bearer {made['ingest']}", "Content-Type": "application/x-ndjson"})
    assert response.json()["inserted"] == 1
    page.reload()
    page.get_by_text("9 orders · showing 1–9").wait_for()
    page.goto(f"{server.url}/?integration=1&type=order&q=%23LIVE-1")
    page.get_by_text("1 order · showing 1–1").wait_for()
    settled(page)
    expect(page.get_by_test_id("glide-cell-1-0")).to_have_text("Error", timeout=20_000)
