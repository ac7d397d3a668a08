"""In a real browser, on one served fixture database: an ops lead resolves one error group and ignores another and
sees their states change; a new error in a resolved group shows it as regressed."""
from datetime import UTC, datetime

import httpx
import pytest
from alert_receivers import incident_events
from conftest import Server, tick_row, wait_until

import queries
from entities import db
from entities.identity import LOCAL_ADMIN
from entities.watch import groups
from entities.web import tokens

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def served(fixture_db_template, tmp_path_factory):
    """The fixture served once for this file, its groups synced, with an ingest token for the sync engine."""
    path = tmp_path_factory.mktemp("groups") / "groups.duckdb"
    path.write_bytes(fixture_db_template.read_bytes())
    con = db.connect(path)
    groups.sync(con)
    ids = {r["error_code"]: r["id"] for r in queries.records(con, "error_group_table", integration=None, states=[],
                                                              group_id=None)}
    token = tokens.create(con, LOCAL_ADMIN, "feed", ["ingest"])["token"]
    con.close()
    server = Server(path)
    yield server, ids, token
    server.stop()


def open_groups(page, url: str):
    # The overview is the heaviest page; on a loaded 2-core CI machine its first paint can take a minute. Every wait
    # here is on a condition, so the long limit costs nothing when it is fast.
    page.set_default_timeout(120_000)
    page.goto(url)
    page.get_by_role("heading", name="Error groups").wait_for()
    return page.get_by_test_id("stButtonGroup").filter(has_text="Group state")


def panel(page):
    return page.locator(".st-key-group_panel")


def test_ops_lead_resolves_one_group_and_ignores_another(served, page):
    """Resolving the top group and then ignoring the next row's group changes exactly those two groups."""
    server, _, _ = served
    states = open_groups(page, f"{server.url}/overview?scope=1&live=0")
    states.get_by_text("Open 3").wait_for()
    tick_row(page, 0, panel(page).get_by_text("Article '<sku>' not found in Fortnox · Nordic Outdoor"))
    panel(page).get_by_role("button", name="Resolve", exact=True).click()
    panel(page).get_by_text("Resolved.").wait_for()
    states.get_by_text("Resolved 1").wait_for()
    states.get_by_text("Open 2").wait_for()
    assert "group_id=" in page.url

    # the row the resolved group left is now the next group's; ui.md joins ":" invisibly
    tick_row(page, 0, panel(page).get_by_text("429 Too Many Requests (retry after"))
    panel(page).get_by_role("button", name="Ignore", exact=True).click()
    panel(page).get_by_text("Ignored for 1 hour.").wait_for()
    states.get_by_text("Ignored 1").wait_for()
    states.get_by_text("Open 1").wait_for()
    assert states.get_by_text("Resolved 1").is_visible()
    page.screenshot(path="/tmp/shots/watch-groups-resolved-ignored.png", full_page=True)


def test_new_error_in_a_resolved_group_shows_it_regressed(served, page):
    """The invoice group, resolved from its shared link, is shown regressed once a record fails with it again."""
    server, ids, token = served
    states = open_groups(page, f"{server.url}/overview?scope=1&group_id={ids['INVOICE_ALREADY_BOOKED']}")
    panel(page).get_by_role("button", name="Resolve", exact=True).click()
    panel(page).get_by_text("Resolved.").wait_for()

    body = incident_events([datetime.now(UTC)], refs=("SKU-98",), type="article", error_code="INVOICE_ALREADY_BOOKED",
                           message="Invoice F-5009 is already booked")
    posted = httpx.post(f"{server.url}/api/v1/events", content=body, timeout=60,
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})
    assert posted.status_code == 200, posted.text

    wait_until(lambda: states.get_by_text("Regressed 1").is_visible(), 120, "the group to show as regressed")
    panel(page).get_by_text("Regressed since").wait_for()
    page.screenshot(path="/tmp/shots/watch-groups-regressed.png", full_page=True)
