"""The retry API over real HTTP against a real `entities serve` (worker off, so requests stay queued): the Retry and
bulk retry buttons' rules, audited with the token's name."""
from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest
from api_helpers import Api, make_tokens
from conftest import Server

CAP = 3


@pytest.fixture(scope="module")
def served(fixture_db_template, tmp_path_factory):
    """One server for the module: the worker is off and the bulk cap is 3; tokens: ops (retry), reader (read)."""
    path = tmp_path_factory.mktemp("api-retry") / "api.duckdb"
    shutil.copy(fixture_db_template, path)
    made = make_tokens(path, {"ops": ("retry",), "reader": ("read",)})
    server = Server(path, {"ENTITIES_WORKER": "off", "ENTITIES_BULK_RETRY_CAP": str(CAP)})
    yield SimpleNamespace(api=Api(server.url, made["ops"]), tokens=made)
    server.stop()


def test_retry_is_queued_as_the_token_and_a_second_one_is_refused(served):
    """A script retries entity 2: queued and audited as token:ops; asking again is refused with 409."""
    first = served.api.post("/api/v1/entities/2/retry")
    assert first.status_code == 202, first.text
    assert (first.json()["requested_by"], first.json()["retry"]["state"]) == ("token:ops", "queued")
    detail = served.api.get("/api/v1/entities/2").json()
    assert detail["open_retry"]["requested_by"] == "token:ops"  # the retry_requests row
    assert detail["entity"]["status"] == "pending"
    newest = detail["history"]["transactions"][0]
    assert (newest["operation"], newest["outcome"], newest["actor"]) == ("retry", "pending", "token:ops")
    second = served.api.post("/api/v1/entities/2/retry")
    assert second.status_code == 409
    assert "already queued or running" in second.json()["error"]
    assert second.json()["open_retry"]["id"] == first.json()["retry"]["id"]


def test_retry_of_a_stored_record_says_it_updates_the_target(served):
    """Retrying a record that has a storer reference says the target record is updated, not created again."""
    body = served.api.post("/api/v1/entities/4/retry").json()
    assert body["updates_existing_record"] is True
    assert "F-5004" in body["note"]


@pytest.mark.parametrize(("path", "status", "reason"), [
    ("/api/v1/entities/999999/retry", 404, "No entity with id 999999"),
    ("/api/v1/entities/x1/retry", 400, "is not an entity id"),
    ("/api/v1/entities/5/retry?force=1", 400, "unknown parameter"),
])
def test_retry_of_unknown_or_bad_ids_is_refused(served, path, status, reason):
    """Retrying an id that does not exist is a 404; a malformed id or an extra parameter a 400."""
    response = served.api.post(path)
    assert (response.status_code, reason in response.json()["error"]) == (status, True)


def test_a_token_without_the_retry_scope_gets_403(served):
    """A read-only token cannot retry, and nothing is queued."""
    response = served.api.post("/api/v1/entities/5/retry", token=served.tokens["reader"])
    assert response.status_code == 403
    assert served.api.get("/api/v1/entities/5").json()["open_retry"] is None


def test_bulk_retry_by_ids_reports_queued_refused_and_missing(served):
    """A script retries ids 1, 2, 999999: 1 is queued, 2 already has a retry open, 999999 does not exist."""
    served.api.post("/api/v1/entities/2/retry")
    response = served.api.post("/api/v1/retries", json={"ids": [1, "2", 999999]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["queued"], body["already_open"], body["missing"]) == ([1], [2], [999999])
    assert (body["requested_by"], body["matched"], body["cap"]) == ("token:ops", 2, CAP)


def test_bulk_retry_by_filter_queues_what_the_list_shows(served):
    """A script retries every error customer of integration 2, by the list's filter parameters."""
    response = served.api.post("/api/v1/retries", json={"filter": {"integration": 2, "type": "customer",
                                                                   "status": ["error"]}})
    assert response.status_code == 200, response.text
    assert (response.json()["matched"], response.json()["queued"]) == (1, [42])
    assert served.api.get("/api/v1/entities/42").json()["open_retry"]["requested_by"] == "token:ops"


def test_bulk_retry_over_the_cap_is_refused_whole(served):
    """A filter matching more records than ENTITIES_BULK_RETRY_CAP is refused with 400 and queues nothing."""
    response = served.api.post("/api/v1/retries", json={"filter": {"integration": 1, "type": "order"}})
    assert response.status_code == 400
    assert (response.json()["matched"], response.json()["cap"]) == (8, CAP)
    assert "the cap is 3" in response.json()["error"]
    assert served.api.get("/api/v1/entities/5").json()["open_retry"] is None


@pytest.mark.parametrize(("kwargs", "status", "reason"), [
    ({"content": b'{"ids": [1]}', "headers": {"content-type": "text/plain"}}, 415, "application/json"),
    ({"content": b'{"ids": [1', "headers": {"content-type": "application/json"}}, 400, "not valid JSON"),
    ({"json": {"ids": [1], "filter": {}}}, 400, "exactly one of"),
    ({"json": {"ids": []}}, 400, "non-empty"),
    ({"json": {"ids": [1.5]}}, 400, "not an entity id"),
    ({"json": {"ids": list(range(1, CAP + 2))}}, 400, "the cap is 3"),
    ({"json": {"filter": {"integration": 1, "status": "bogus"}}}, 400, "unknown value(s) bogus"),
    ({"json": {"filter": {"integration": 1, "sort": "status"}}}, 400, "unknown parameter"),
    ({"content": b"x" * 2_000_001, "headers": {"content-type": "application/json"}}, 413, "2,000,000"),
])
def test_bad_bulk_retry_requests_are_refused_with_the_reason(served, kwargs, status, reason):
    """A malformed bulk retry gets the matching status and says what is wrong."""
    response = served.api.post("/api/v1/retries", **kwargs)
    assert response.status_code == status
    assert reason in response.json()["error"]
