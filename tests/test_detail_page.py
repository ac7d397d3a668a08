"""The entity detail page in AppTest: error with its fix, not-found ids, odd payloads, and idempotent Retry."""
from pathlib import Path

import pytest
from conftest import open_app

import queries
from entities import db

FIXTURE_DETAIL = Path(__file__).with_name("fixture_detail.sql")


@pytest.fixture
def detail_env(app_env, monkeypatch):
    """The app on the fixture DB plus a huge payload, without the background worker (tests drive it)."""
    monkeypatch.setenv("ENTITIES_WORKER", "off")
    con = db.connect(app_env)
    queries.execute_file(con, FIXTURE_DETAIL)
    con.close()
    return app_env


def texts(at, kind):
    return [element.value for element in getattr(at, kind)]


def test_error_entity_shows_code_cause_and_fix(detail_env):
    """Opening /entity?id=2 shows the ARTICLE_NOT_FOUND error with its cause and fix."""
    at = open_app("entity", id="2")
    assert not at.exception
    error = " ".join(texts(at, "error"))
    assert "ARTICLE_NOT_FOUND" in error and "Create the article in the ERP" in error
    assert "Order #1002" in texts(at, "title")


@pytest.mark.parametrize("raw", ["999999", "abc", "", " ", "-1", "2.5", "99999999999999999999999"])
def test_unknown_or_malformed_id_shows_not_found(detail_env, raw):
    """A link with an unknown or malformed id shows a 'No entity with id' page, not a traceback."""
    at = open_app("entity", id=raw)
    assert not at.exception
    assert any("No entity with id" in text for text in texts(at, "error"))
    assert texts(at, "title") == ["No such entity"]


def test_invalid_json_payload_is_shown_as_text(detail_env):
    """The failed retry of entity 2 has a truncated request and an HTML response: both shown with a note."""
    at = open_app("entity", id="2")
    notes = [text for text in texts(at, "warning") if text.startswith("Not valid JSON")]
    assert len(notes) == 2
    assert any("502 Bad Gateway" in text for text in texts(at, "code"))


def test_huge_payload_is_truncated_with_download(detail_env):
    """A 1.2 MB request payload is shown as its first 100 KB with a download of the whole."""
    at = open_app("entity", id="20")
    assert not at.exception
    assert any("1.2 MB payload" in text for text in texts(at, "warning"))
    assert max(len(text) for text in texts(at, "code")) <= 100_000
    assert at.get("download_button")


def test_retry_pressed_in_two_sessions_queues_once(detail_env):
    """Two people confirm Retry on the same record: one request is queued, the other is told it is open."""
    first, second = open_app("entity", id="4"), open_app("entity", id="4")
    for at in (first, second):
        at.button(key="retry_start").click().run()
        assert "F-5004" in " ".join(texts(at, "markdown"))
    first.button(key="retry_confirm").click().run()
    second.button(key="retry_confirm").click().run()
    assert not first.exception and not second.exception
    assert any("already queued/running" in text for text in texts(second, "warning"))
    con = db.connect(detail_env)
    assert queries.one(con, "retry_request_counts", entity_id=4) == (1, 1, 1)
    con.close()


def test_confirmed_retry_shows_pending(detail_env):
    """After confirming Retry the record shows Pending and a note that the retry is queued."""
    at = open_app("entity", id="4")
    at.button(key="retry_start").click().run()
    at.button(key="retry_confirm").click().run()
    assert "Pending" in " ".join(texts(at, "markdown"))
    assert any("Retry queued since" in text for text in texts(at, "info"))
