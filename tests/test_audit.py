"""Retry audit trail: who requested which retries, when, and their outcome."""
from datetime import UTC, datetime

import pytest
from conftest import open_app

import queries
from entities.identity import Principal
from entities.sync import retry


def operator(name: str) -> Principal:
    return Principal(name, kind="user", role="operator")


def trail(con, **filters):
    params = {"requester": None, "state": None, "requested_from": None, "requested_to": None} | filters
    return queries.records(con, "audit_page", page_size=50, page_offset=0, **params)


def test_trail_joins_record_and_outcome(con):
    """The fixture's failed retry shows who asked, the order it was for and the error it ended with."""
    [row] = trail(con)
    assert (row["requested_by"], row["state"], row["entity_id"], row["retriever_ref"], row["integration"],
            row["outcome"], row["error_code"]) == (
        "anna.karlsson@nordicoutdoor.se", "failed", 2, "#1002", "Nordic Outdoor", "error", "ARTICLE_NOT_FOUND")


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, [("ops.lead", 4), ("ops.lead", 6), ("anna.karlsson@nordicoutdoor.se", 2)]),
    ({"requester": "ops.lead"}, [("ops.lead", 4), ("ops.lead", 6)]),
    ({"state": "failed"}, [("anna.karlsson@nordicoutdoor.se", 2)]),
    ({"state": "queued"}, [("ops.lead", 4), ("ops.lead", 6)]),
    ({"requested_to": datetime(2026, 11, 26, 10, tzinfo=UTC)}, [("anna.karlsson@nordicoutdoor.se", 2)]),
    ({"requested_from": datetime(2026, 11, 26, 10, tzinfo=UTC), "requester": "anna.karlsson@nordicoutdoor.se"}, []),
])
def test_filters_newest_first(con, filters, expected):
    """Filtering by requester, state and date keeps the matching requests, newest first (one batch: oldest record
    queued first, so it has the lower id)."""
    retry.request(con, [4, 6], operator("ops.lead"))
    assert [(r["requested_by"], r["entity_id"]) for r in trail(con, **filters)] == expected
    count = queries.scalar(con, "audit_count", **({"requester": None, "state": None, "requested_from": None,
                                                   "requested_to": None} | filters))
    assert count == len(expected)


def test_requesters(con):
    """The requester filter offers everyone who asked for a retry."""
    retry.request(con, [4], operator("ops.lead"))
    assert queries.rows(con, "audit_requesters") == [("anna.karlsson@nordicoutdoor.se", 1), ("ops.lead", 1)]


def test_audit_page_lists_requests(app_env):
    """Opening /audit shows the retry requests with a link to each record."""
    at = open_app("audit")
    assert not at.exception
    table = at.dataframe[0].value
    assert table["requested_by"].tolist() == ["anna.karlsson@nordicoutdoor.se"]
    assert table["entity"].tolist() == ["/entity?id=2"]
