"""What the auto-retry policy shows on the pages (AppTest): gave up on the detail page, in the list and on the
overview; the next scheduled attempt on the detail page."""
import pytest
from conftest import open_app

from entities import db
from entities.identity import Principal
from entities.sync import handlers, policy, retry, worker

OPS = Principal("ops", kind="user", role="operator")
ANNA = Principal("anna", kind="user", role="operator")


def timing_out(job):
    return handlers.Outcome("error", "Webhook did not answer within 10 s", job.body_text(), error_code="TIMEOUT")


@pytest.fixture
def gave_up_env(app_env, monkeypatch):
    """Order #1004 timed out on its only allowed attempt, so the policy gave up on it."""
    monkeypatch.setenv("ENTITIES_WORKER", "off")
    con = db.connect(app_env)
    retry.request(con, [4], OPS)
    worker.Worker(con, timing_out, policies={1: policy.Policy(max_attempts=1)}).drain()
    con.close()
    return app_env


def test_detail_page_says_why_it_gave_up(gave_up_env):
    """Opening the record shows that auto-retry gave up, after how many attempts and on which error."""
    at = open_app("entity", id="4")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "Auto-retry gave up" in warning and "after 1 attempt;" in warning and "TIMEOUT" in warning


def test_list_filter_shows_only_records_that_gave_up(gave_up_env):
    """The list opened with gave_up=1 lists only the record the policy gave up on."""
    at = open_app(None, integration="1", type="order", gave_up="1")
    assert not at.exception
    assert any("**1** order" in c.value for c in at.caption)
    assert at.toggle(key="gave_up").value is True


def test_overview_counts_records_that_gave_up(gave_up_env):
    """The overview names the integration with records that gave up, linking to that list."""
    at = open_app("overview")
    assert not at.exception
    assert any("1 gave up" in m.value for m in at.markdown)


def test_detail_page_shows_the_next_scheduled_attempt(app_env, monkeypatch):
    """A record waiting for its automatic retry shows the attempt number and when the next attempt is due."""
    monkeypatch.setenv("ENTITIES_WORKER", "off")
    con = db.connect(app_env)
    retry.request(con, [4], OPS)
    worker.Worker(con, timing_out, policies={1: policy.Policy(base_seconds=600)}).drain()
    con.close()
    at = open_app("entity", id="4")
    assert not at.exception
    info = " ".join(i.value for i in at.info)
    assert "Attempt 2 of 5" in info and "next attempt at" in info and "auto-retry" in info
