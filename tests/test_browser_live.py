"""In a real browser with Live on: a new error written through the running app appears without a reload."""
import re

import pytest

pytestmark = pytest.mark.browser


def test_live_overview_shows_a_new_error_without_reload(server_factory, fixture_db, browser, page):
    """An ops lead watches the overview with Live on; a colleague's retry fails again; the count of new errors and
    the group's records update on their screen without reloading the page."""
    server = server_factory(fixture_db)
    page.goto(f"{server.url}/overview?scope=1&live=2")
    page.get_by_text("no new errors since you opened this page").wait_for(timeout=90_000)  # a cold first load
    page.evaluate("window.__not_reloaded = true")

    colleague = browser.new_page(timezone_id="Europe/Stockholm")
    try:
        colleague.goto(f"{server.url}/entity?id=2")  # an order whose article is missing: its retry fails again
        colleague.get_by_role("button", name="Retry").click()
        colleague.get_by_role("button", name="Confirm retry").click()
        colleague.get_by_text(re.compile("Retry queued|queued", re.I)).first.wait_for()
    finally:
        colleague.close()

    page.get_by_text("1 new error since you opened this page").wait_for(timeout=30_000)
    assert page.evaluate("window.__not_reloaded") is True
    assert "live=2" in page.url and "scope=1" in page.url  # the user's state is still in the link


def test_live_off_in_the_link_keeps_the_overview_still(server_factory, fixture_db, page):
    """Opening the overview with live=0 shows Live switched off, and switching it on puts live=10 in the link."""
    server = server_factory(fixture_db)
    page.goto(f"{server.url}/overview?live=0")
    page.get_by_text("Live is off").wait_for(timeout=90_000)
    page.get_by_text("Live", exact=True).click()
    page.get_by_text("every 10 s ·").wait_for()
    assert "live=" not in page.url  # on, every 10 s, is the overview's default
