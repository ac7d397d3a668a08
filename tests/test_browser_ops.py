"""In a real browser: an error group from the overview opens the filtered list; a group bulk retry confirms the count
and shows progress until the worker has finished it."""
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import tick_row, wait_until

pytestmark = pytest.mark.browser

GROUP = "Article '<sku>' not found in Fortnox"


def open_overview(page, server):
    page.goto(f"{server.url}/")
    page.get_by_text("Retriever Shopify → Storer Fortnox").or_(page.get_by_text("Retriever Magento")).first.wait_for()
    page.goto(f"{server.url}/overview?scope=1&live=0")
    page.get_by_role("heading", name="Error groups").wait_for()


def select_first_group(page):
    tick_row(page, 0, page.get_by_text("Open these records in the list"))


def test_error_group_opens_the_filtered_list(server_factory, fixture_db, page):
    """Picking the largest error group and opening it lands on the list filtered to that group."""
    server = server_factory(fixture_db)
    open_overview(page, server)
    select_first_group(page)
    page.get_by_text("Open these records in the list").click()
    page.get_by_role("button", name=f"Error group: {GROUP}").wait_for()
    query = parse_qs(urlparse(page.url).query)
    assert (query["integration"], query["type"], query["status"], query["group"]) == (
        ["1"], ["order"], ["error"], [GROUP])
    page.get_by_text("orders · showing 1–2").wait_for()  # the two orders of the group, no others


def test_group_bulk_retry_confirms_count_then_shows_progress(server_factory, fixture_db, page):
    """Retrying a group asks to confirm the exact count, then shows progress until the worker is done."""
    server = server_factory(fixture_db)
    open_overview(page, server)
    select_first_group(page)
    page.get_by_role("button", name="Retry group…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Retry 2 records?").wait_for()
    dialog.get_by_role("button", name="Retry 2").click()
    finished = page.get_by_text("Bulk retry finished: 0 succeeded, 2 failed.")
    wait_until(lambda: finished.is_visible() or page.get_by_test_id("stProgress").is_visible(), 30,
               "bulk retry progress")
    finished.wait_for(timeout=30_000)
    page.get_by_text("Queued 2 retries.").first.wait_for()
