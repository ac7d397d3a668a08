"""In a real browser: a record the auto-retry policy gave up on is explained on its page and found in the list;
a record waiting for its next automatic attempt says when, and can be retried now."""
import pytest

from entities import db
from entities.identity import Principal
from entities.sync import handlers, policy, retry, worker

OPS = Principal("ops", kind="user", role="operator")
SHOTS = "/tmp/shots"


def timing_out(job):
    return handlers.Outcome("error", "Webhook did not answer within 10 s", job.body_text(), error_code="TIMEOUT")


@pytest.fixture
def served(server_factory, fixture_db):
    """Order #1004 gave up after its only attempt; order #1003 waits an hour for its second."""
    con = db.connect(fixture_db)
    retry.request(con, [4], OPS)
    worker.Worker(con, timing_out, policies={1: policy.Policy(max_attempts=1)}).drain()
    retry.request(con, [3], OPS)
    worker.Worker(con, timing_out, policies={1: policy.Policy(base_seconds=7200, max_attempts=5)}).drain()
    con.close()
    return server_factory(fixture_db, {"ENTITIES_WORKER": "off"})


def test_gave_up_record_is_explained_and_listed(served, page):
    """An ops lead opens the gave-up list from the overview and reads why on the record's page."""
    page.goto(f"{served.url}/overview")
    page.get_by_text("1 gave up").wait_for()
    page.screenshot(path=f"{SHOTS}/worker-overview.png", full_page=True)
    link = page.get_by_role("link", name="Nordic Outdoor · Orders: 1").get_attribute("href")
    assert "gave_up=1" in link
    page.goto(served.url + "/" + link.lstrip("/").split("/", 1)[-1] if link.startswith("http") else served.url + link)
    page.get_by_text("1 order ·", exact=False).first.wait_for()
    page.screenshot(path=f"{SHOTS}/worker-list-gave-up.png", full_page=True)
    page.goto(f"{served.url}/entity?id=4")
    page.get_by_text("Auto-retry gave up").wait_for()
    page.get_by_text("after 1 attempt;").wait_for()
    page.screenshot(path=f"{SHOTS}/worker-detail-gave-up.png", full_page=True)


def test_waiting_record_shows_next_attempt_and_retry_now(served, page):
    """An ops lead sees attempt 2 of 5 and its time, and presses Retry now to take it over."""
    page.goto(f"{served.url}/entity?id=3")
    page.get_by_text("Attempt 2 of 5").wait_for(timeout=60_000)
    page.get_by_text("next attempt at").wait_for()
    page.get_by_role("button", name="Retry now").click()
    page.get_by_text("Retry queued since").wait_for()
