"""The read API over real HTTP against a real `entities serve`: the list, one entity, the CSV, health, metrics and
openapi.json, with real tokens."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from api_helpers import Api, make_tokens
from conftest import Server
from prometheus_client.parser import text_string_to_metric_families

import queries
from entities import db
from entities.ui import listing
from entities.web import api

FIXTURE_API = Path(__file__).with_name("fixture_api.sql")
BIG_ID = 900000000000000001
CSV_FILTER = {"integration": "1", "type": "order", "status": "error,pending", "sort": "retriever_ref"}


@pytest.fixture(scope="module")
def served(fixture_db_template, tmp_path_factory):
    """One server for the module on the fixture plus fixture_api.sql; tokens: reader (read), feeder (ingest)."""
    path = tmp_path_factory.mktemp("api-read") / "api.duckdb"
    shutil.copy(fixture_db_template, path)
    con = db.connect(path)
    queries.execute_file(con, FIXTURE_API)
    expected_csv = listing.export_csv(con, listing.filter_params(1, "order", ["error", "pending"]), "retriever_ref")
    con.close()
    made = make_tokens(path, {"reader": ("read",), "feeder": ("ingest",)})
    server = Server(path)
    yield SimpleNamespace(api=Api(server.url, made["reader"]), tokens=made, expected_csv=expected_csv)
    server.stop()


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()["rows"]]


@pytest.mark.parametrize(("query", "expected_ids", "total"), [
    ("integration=1&type=order&status=error", [4, 2, 6], 3),
    ("integration=1&type=order&status=error,pending", [3, 4, 2, 6], 4),
    ("integration=1&type=order&status=error&status=PENDING", [3, 4, 2, 6], 4),
    ("integration=1&type=order&status=error&sort=retriever_ref", [2, 4, 6], 3),
    ("integration=1&type=order&q=%231004", [4], 1),
    ("integration=1&type=order&q=f-500&sort=storer_ref", [1, 4, 7, 8], 4),
    ("integration=1&type=order&from=2026-11-26&to=2026-11-26", [3, 4, 2, 6], 4),
    ("integration=1&type=order&from=2026-11-25&to=2026-11-25", [], 0),
    ("integration=1&type=order&from=2026-11-25&to=2026-11-25&tz=Pacific/Honolulu", [2, 6], 2),
    ("integration=1", [21, 20], 2),
    ("integration=1&type=order&size=25&page=2", [], 8),
    ("integration=3", [], 0),
])
def test_list_returns_the_rows_and_total_of_the_list_page_url(served, query, expected_ids, total):
    """A script passes the list page's URL parameters and gets that page's rows, in its order, and the total."""
    response = served.api.get(f"/api/v1/entities?{query}")
    assert ids(response) == expected_ids
    assert response.json()["total"] == total


def test_list_echoes_the_effective_parameters_with_the_page_defaults(served):
    """With only an integration, the API says which type, sort and page size it used: the page's defaults."""
    body = served.api.get("/api/v1/entities", {"integration": "1"}).json()
    assert body["query"] == {"integration": 1, "type": "article", "status": [], "q": "", "from": None, "to": None,
                             "group": None, "gave_up": False, "sort": "-last_updated", "page": 1, "size": 50,
                             "tz": "UTC"}
    assert body["rows"][0] | {"last_updated": None} == {
        "id": 21, "status": "error", "retriever_ref": "SKU-98", "storer_ref": None, "children": 0, "total": None,
        "currency": None, "last_updated": None, "error_code": "INVOICE_ALREADY_BOOKED",
        "error_message": "Invoice F-5001 is already booked", "exact_match": True, "url": "/entity?id=21"}


@pytest.mark.parametrize(("query", "parameter", "reason"), [
    ({"foo": "1"}, "foo", "unknown parameter"),
    ({"live": "5"}, "live", "unknown parameter"),
    ({"integration": "99"}, "integration", "is not one of"),
    ({"integration": "abc"}, "integration", "not a valid value"),
    ({"integration": "1", "type": "stock"}, "type", "no enabled stock flow"),
    ({"type": "widget"}, "type", "is not one of"),
    ({"integration": "1", "type": ["order", "article"]}, "type", "given 2 times"),
    ({"integration": "1", "status": "synced,bogus"}, "status", "unknown value(s) bogus"),
    ({"integration": "1", "sort": "id"}, "sort", "not a sortable column"),
    ({"integration": "1", "page": "0"}, "page", "must be 1 or more"),
    ({"integration": "1", "page": "two"}, "page", "not a whole number"),
    ({"integration": "1", "size": "30"}, "size", "is not one of 25, 50, 100, 250"),
    ({"integration": "1", "from": "2026-13-01"}, "from", "not a date"),
    ({"integration": "1", "from": "2026-11-27", "to": "2026-11-26"}, "from", "is after to=2026-11-26"),
    ({"integration": "1", "q": "x" * 10_001}, "q", "at most 10,000"),
    ({"integration": "1", "tz": "Mars/Base"}, "tz", "not a time zone"),
])
def test_bad_list_parameters_get_400_with_the_reason(served, query, parameter, reason):
    """A wrong list parameter is refused with 400 naming the parameter and why, never silently ignored."""
    response = served.api.get("/api/v1/entities", query)
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert reason in response.json()["error"]


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/entities"), ("get", "/api/v1/entities/2"), ("get", "/api/v1/entities.csv"),
    ("post", "/api/v1/entities/2/retry"), ("post", "/api/v1/retries"),
])
def test_no_token_gets_401(served, method, path):
    """A request without a token is refused with 401 and a WWW-Authenticate challenge."""
    response = getattr(served.api, method)(path, token="")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]


@pytest.mark.parametrize("path", ["/api/v1/entities", "/api/v1/entities/2", "/api/v1/entities.csv"])
def test_a_token_without_the_read_scope_gets_403(served, path):
    """An ingest-only token cannot read: 403."""
    response = served.api.get(path, token=served.tokens["feeder"])
    assert response.status_code == 403
    assert "read" in response.json()["error"] or "export" in response.json()["error"]


def test_entity_has_its_record_children_and_history_with_payloads_as_stored(served):
    """A script reads one entity: its record, order lines and history, with payloads byte for byte."""
    body = served.api.get("/api/v1/entities/2").json()
    assert body["entity"]["retriever_ref"] == "#1002"
    assert body["entity"]["integration"]["name"] == "Nordic Outdoor"
    assert body["entity"]["error"]["code"] == "ARTICLE_NOT_FOUND"
    assert [(c["line_no"], c["quantity"], c["amount"]) for c in body["children"]] == [
        (1, "1.000", "799.00"), (2, "1.000", "2499.00"), (3, "1.000", "349.00")]
    history = body["history"]
    assert (history["total"], [t["id"] for t in history["transactions"]]) == (3, [5, 4, 3])
    assert history["transactions"][0]["request_payload"] == '{"order": {"number": "#1002"'
    assert history["transactions"][0]["response_payload"].startswith("<html><head><title>502")
    assert body["open_retry"] is None


def test_18_digit_ids_and_payload_numbers_survive_exactly(served):
    """An entity with an 18-digit id comes back with that id and its payload text untouched."""
    response = served.api.get(f"/api/v1/entities/{BIG_ID}")
    assert f'"id":{BIG_ID},' in response.text
    tx = response.json()["history"]["transactions"][0]
    assert tx["id"] == BIG_ID + 1
    assert tx["request_payload"] == '{"order":  {"id": 123456789012345678, "total": 12.50, "note": "<b>x</b>"}}'
    assert tx["response_payload"] == '{"id":987654321098765432}'


@pytest.mark.parametrize(("path", "query"), [
    ("/api/v1/entities", {"integration": "1", "type": "order", "q": "#1001"}),
    ("/api/v1/entities/1", {}),
])
def test_order_total_comes_back_as_an_exact_decimal_string(served, path, query):
    """A script reads order #1001: its total is the string "4097.00" with its currency, never a rounded number."""
    response = served.api.get(path, query)
    body = response.json()
    record = body["rows"][0] if "rows" in body else body["entity"]
    assert (record["total"], record["currency"]) == ("4097.00", "SEK")
    assert '"total":"4097.00","currency":"SEK"' in response.text


def test_entity_history_pages(served):
    """A script pages through an entity's history."""
    history = served.api.get("/api/v1/entities/2", {"history_page": "2", "history_size": "2"}).json()["history"]
    assert (history["page"], history["pages"], history["total"]) == (2, 2, 3)
    assert [t["id"] for t in history["transactions"]] == [3]


@pytest.mark.parametrize(("path", "status", "reason"), [
    ("/api/v1/entities/999999", 404, "No entity with id 999999"),
    ("/api/v1/entities/abc", 400, "is not an entity id"),
    ("/api/v1/entities/-2", 400, "is not an entity id"),
    ("/api/v1/entities/99999999999999999999", 400, "out of range"),
    ("/api/v1/entities/2?history_size=500", 400, "at most 100"),
    ("/api/v1/entities/2?page=2", 400, "unknown parameter"),
])
def test_unknown_or_bad_entity_ids_are_refused(served, path, status, reason):
    """An unknown id is a 404, anything that is not an id or a bad history parameter a 400."""
    response = served.api.get(path)
    assert response.status_code == status
    assert reason in response.json()["error"]


def test_csv_is_the_list_pages_export(served):
    """The CSV endpoint returns the same bytes as the list page's Download CSV button for the same filter."""
    response = served.api.get("/api/v1/entities.csv", CSV_FILTER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="nordic-outdoor_orders_' in response.headers["content-disposition"]
    assert response.content == served.expected_csv
    assert response.headers["x-rows"] == "4"


@pytest.mark.parametrize(("query", "parameter"), [
    ({**CSV_FILTER, "page": "2"}, "page"), ({**CSV_FILTER, "status": "nope"}, "status"),
])
def test_csv_refuses_parameters_it_cannot_honour(served, query, parameter):
    """The export has every matching row, so paging it is refused, as is any invalid list parameter."""
    response = served.api.get("/api/v1/entities.csv", query)
    assert (response.status_code, response.json()["parameter"]) == (400, parameter)


def test_health_reports_database_worker_queue_and_ingest_without_a_token(served):
    """A load balancer asks for health without a token: database reachable, worker alive, an empty queue."""
    response = served.api.get("/api/v1/health", token="")
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["database"]["reachable"], body["worker"]) == ("ok", True,
                                                                               {"enabled": True, "alive": True})
    assert body["queue"] == {"depth": 0, "queued": 0, "running": 0, "oldest_queued_at": None,
                             "oldest_queued_age_seconds": None}
    assert body["ingest"]["last_change_at"] == "2026-11-26T11:58:00Z"


def test_metrics_parse_and_hold_every_family(served):
    """Prometheus scrapes /metrics: valid text with records, ingest, queue, lag and request latency by route."""
    served.api.get("/api/v1/entities", {"integration": "1"})
    text = served.api.get("/metrics", token="").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert {"entities_records", "entities_ingest_rows", "entities_retry_queue_depth",
            "entities_retry_worker_lag_seconds", "entities_retry_worker_up", "entities_database_up",
            "entities_http_request_duration_seconds"} <= set(families)
    records = {(s.labels["integration"], s.labels["type"], s.labels["status"]): s.value
               for s in families["entities_records"].samples}
    assert records[("1", "order", "error")] == 3
    assert records[("2", "order", "error")] == 1
    routes = {s.labels["route"] for s in families["entities_http_request_duration_seconds"].samples}
    assert "/api/v1/entities" in routes


def test_api_responses_carry_the_server_time(served):
    """Every API response says how long the server took (Server-Timing), which `entities bench` reports."""
    timing = served.api.get("/api/v1/entities", {"integration": "1"}).headers["server-timing"]
    assert timing.startswith("app;dur=") and float(timing.removeprefix("app;dur=")) > 0


def test_openapi_describes_every_route(served):
    """openapi.json describes exactly the API's routes with their methods, and is served without a token."""
    spec = served.api.get("/api/v1/openapi.json", token="").json()
    described = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    registered = {(route.path, method) for route in api.routes() for method in route.methods if method != "HEAD"}
    assert described == registered
    assert all(op.get("summary") for ops in spec["paths"].values() for op in ops.values())
    for path, method in registered:  # each is really served: a route the app lacks would answer 404 or 405
        if "{" not in path:
            response = served.api.get(path) if method == "GET" else served.api.post(path, token="")
            assert response.status_code not in (404, 405), path


def test_an_ingested_batch_shows_in_metrics_and_health(served):
    """After the sync engine posts a batch, /metrics counts its rows by result and health has its time."""
    record = {"kind": "entities", "integration_id": 2, "type": "customer", "status": "synced",
              "retriever_ref": "wc-c-900", "children": 0, "created_at": "2026-11-26T08:00:00Z",
              "last_updated": "2026-11-26T08:00:00Z"}
    batch = "\n".join(json.dumps(r) for r in (record, {**record, "status": "lost"})) + "\n"
    posted = served.api.post("/api/v1/events", token=served.tokens["feeder"], content=batch.encode(),
                             headers={"content-type": "application/x-ndjson"})
    assert (posted.status_code, posted.json()["inserted"], posted.json()["rejected"]) == (200, 1, 1), posted.text
    families = {f.name: f for f in text_string_to_metric_families(served.api.get("/metrics", token="").text)}
    ingested = {(s.labels["kind"], s.labels["result"]): s.value for s in families["entities_ingest_rows"].samples
                if s.name.endswith("_total")}
    assert ingested == {("entities", "inserted"): 1, ("entities", "rejected"): 1}
    assert families["entities_ingest_last_timestamp_seconds"].samples[0].value > 0
    assert served.api.get("/api/v1/health", token="").json()["ingest"]["last_ingest_age_seconds"] >= 0
