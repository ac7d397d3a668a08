"""The entity detail page in AppTest: error with its fix, not-found ids, odd payloads, and idempotent Retry."""
import html
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
    return [html.unescape(element.value) for element in getattr(at, kind)]  # data in markdown is escaped (ui.md)


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


def test_entity_detail_query_joins_platforms_and_error_code(con):
    """The detail query returns the record with its platforms and its error code's fix."""
    entity = queries.records(con, "entity_detail", entity_id=2)[0]
    assert (entity["retriever"], entity["storer"], entity["severity"]) == ("Shopify", "Fortnox", "high")
    assert entity["error_fix"].startswith("Create the article in the ERP")
    assert queries.records(con, "entity_detail", entity_id=999999) == []


def test_history_query_is_newest_first_with_total(con):
    """Entity 2's history lists its retry, update and create, newest first, with the total count."""
    rows = queries.records(con, "entity_history", entity_id=2, page_size=25, offset=0)
    assert [(r["id"], r["operation"], r["outcome"]) for r in rows] == [
        (5, "retry", "error"), (4, "update", "error"), (3, "create", "success")]
    assert {r["total"] for r in rows} == {3}


def test_children_query_shows_failed_line(con):
    """Entity 2's three order lines come back in order, line 2 failed with its message."""
    rows = queries.records(con, "entity_children", entity_id=2)
    assert [(r["line_no"], r["status"]) for r in rows] == [(1, "synced"), (2, "error"), (3, "synced")]
    assert rows[1]["error_message"] == "Article 'SKU-1234' not found in Fortnox"


def test_diff_baseline_is_last_success_before_failure(con):
    """The failed update of entity 2 is compared with its successful create."""
    failed = queries.records(con, "transaction_payloads", entity_id=2, transaction_id=4)[0]
    base = queries.records(con, "transaction_last_success_before", entity_id=2, before=failed["occurred_at"])
    assert [b["id"] for b in base] == [3]


def test_long_history_is_paged(detail_env):
    """An order with 62 transactions shows 25 per page; page 3 shows the oldest 12."""
    at = open_app("entity", id="1")
    assert any("62 transactions" in text and "page 1 of 3" in text for text in texts(at, "caption"))
    at.number_input(key="history_page").set_value(3).run()
    assert not at.exception
    assert any("page 3 of 3" in text for text in texts(at, "caption"))
    assert len(at.dataframe[0].value) == 12
