"""POST /api/v1/events against a real served app: batches land once, rejects come back, errors are explicit."""
from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import threading
from pathlib import Path

import duckdb
import httpx
import pytest
from conftest import ROOT, Server, build_fixture_db, wait_until

from entities import db, identity
from entities.web import tokens

SAMPLE = ROOT / "data" / "samples" / "batch.jsonl"
NDJSON = "application/x-ndjson"
LIMIT = 50_000


def make_tokens(path: Path) -> dict[str, str]:
    """Tokens stored in the database before the app starts: one per scope the tests need."""
    con = db.connect(path)
    try:
        made = {scope: tokens.create(con, identity.CLI, scope, [scope])["token"] for scope in ("ingest", "read")}
        made["revoked"] = tokens.create(con, identity.CLI, "gone", ["ingest"])["token"]
        tokens.revoke(con, identity.CLI, "gone")
    finally:
        con.close()
    return made


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """One served fixture database with a small body limit, for the tests that only read or get refused."""
    path = build_fixture_db(tmp_path_factory.mktemp("api") / "api.duckdb")
    made = make_tokens(path)
    server = Server(path, {"ENTITIES_API_MAX_BODY": str(LIMIT)})
    server.tokens = made
    yield server
    server.stop()


@pytest.fixture
def served(fixture_db):
    """A served private copy of the fixture database with tokens; stopped after the test."""
    made = make_tokens(fixture_db)
    server = Server(fixture_db)
    server.tokens = made
    yield server
    server.stop()


def post(server, body: bytes, content_type: str = NDJSON, token: str | None = "ingest", **headers) -> httpx.Response:
    if token:
        headers["Authorization"] = f"Bearer {server.tokens.get(token, token)}"
    return httpx.post(f"{server.url}/api/v1/events", content=body, timeout=120,
                      headers={"Content-Type": content_type, **headers})


def count(path: Path, sql: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def entity_lines(refs, status: str = "synced", minute: int = 0) -> list[bytes]:
    return [json.dumps({"kind": "entities", "integration_id": 1, "type": "order", "retriever_ref": ref,
                        "status": status, "last_updated": f"2026-11-26T12:{minute:02d}:00Z"}).encode() for ref in refs]


def transaction_lines(ids) -> list[bytes]:
    return [json.dumps({"kind": "transactions", "id": 9_500_000 + i, "integration_id": 1, "entity_type": "order",
                        "entity_ref": f"#A{i}", "occurred_at": "2026-11-26T12:00:00Z", "operation": "create",
                        "outcome": "success", "actor": "sync-engine",
                        "request_payload": {"order": {"name": f"#A{i}"}}}).encode() for i in ids]


def ndjson(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n"


def test_batch_lands_and_rejected_records_come_back_with_index_and_reason(served):
    """A sync engine posts a mixed batch: good records are stored, each bad one is named by index and reason."""
    response = post(served, SAMPLE.read_bytes())
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["received"], body["inserted"], body["rejected"]) == (5, 3, 2)
    assert [(r["index"], r["kind"], r["reason"]) for r in body["rejects"]] == [
        (3, "entities", "unknown status 'done' (allowed: synced, error, pending)"),
        (4, "parcels", "unknown kind 'parcels' (allowed: error_codes, integrations, flows, entities, children, "
                       "transactions)")]
    served.stop()
    assert count(served.db_path, "select count(*) from entities where retriever_ref = '#2001' and status = 'error'") \
        == 1
    assert count(served.db_path, "select count(*) from transactions where id = 9100001") == 1


def test_resending_a_batch_changes_nothing(served):
    """Posting the same batch twice stores it once; the second answer says every record is unchanged."""
    first = post(served, SAMPLE.read_bytes()).json()
    second = post(served, SAMPLE.read_bytes()).json()
    assert (second["inserted"], second["updated"], second["unchanged"]) == (0, 0, first["inserted"])
    served.stop()
    assert count(served.db_path, "select count(*) from transactions where id = 9100001") == 1


@pytest.mark.parametrize(("content_type", "compress"), [
    (NDJSON, False), (NDJSON, True), ("application/json", False), ("application/json; charset=utf-8", True)])
def test_json_lines_array_and_gzip_give_the_same_answer(content_type, compress, api):
    """The same records as JSON lines or a JSON array, plain or gzipped, get the same per-record answer."""
    lines = SAMPLE.read_bytes().splitlines()
    body = ndjson(lines) if content_type == NDJSON else b"[" + b",\n".join(lines) + b"]"
    headers = {"Content-Encoding": "gzip"} if compress else {}
    response = post(api, gzip.compress(body) if compress else body, content_type, **headers)
    assert response.status_code == 200, response.text
    assert [r["index"] for r in response.json()["rejects"]] == [3, 4]


@pytest.mark.parametrize(("body", "content_type", "headers", "status", "message"), [
    (b'{"kind": "entities"}\n{"kind": oops\n', NDJSON, {}, 400, "line 2"),
    (b'{"kind": "entities"}', "application/json", {}, 400, "JSON array"),
    (b"not gzip at all", NDJSON, {"Content-Encoding": "gzip"}, 400, "not valid gzip"),
    (SAMPLE.read_bytes(), "text/csv", {}, 415, "application/x-ndjson"),
    (SAMPLE.read_bytes(), NDJSON, {"Content-Encoding": "br"}, 415, "gzip"),
    (b"x" * (LIMIT + 1), NDJSON, {}, 413, "ENTITIES_API_MAX_BODY"),
    (gzip.compress(b" " * (LIMIT * 20)), NDJSON, {"Content-Encoding": "gzip"}, 413, "decompressed"),
])
def test_bad_request_gets_its_status_and_says_why(body, content_type, headers, status, message, api):
    """A malformed, mislabelled or oversized body is refused with the matching status and a reason."""
    response = post(api, body, content_type, **headers)
    assert response.status_code == status
    assert message in response.json()["error"]


@pytest.mark.parametrize(("token", "status"), [
    (None, 401), ("read", 403), ("revoked", 401), ("ent_1_" + "C" * 43, 401)])
def test_token_without_ingest_rights_is_refused(token, status, api):
    """Without a token, with a read-only, a revoked or a made-up token, the batch is refused and not stored."""
    response = post(api, SAMPLE.read_bytes(), token=token)
    assert response.status_code == status
    assert "error" in response.json()


def test_four_concurrent_senders_of_overlapping_batches_lose_and_duplicate_nothing(served):
    """Four senders post overlapping batches at once: every record is stored exactly once."""
    refs = [f"#A{i}" for i in range(400)]
    batches = [ndjson(entity_lines(refs[lo:lo + 200]) + transaction_lines(range(lo, lo + 200)))
               for lo in (0, 100, 200, 50)]
    answers = [None] * 4

    def send(i: int) -> None:
        answers[i] = [post(served, batches[i]).json() for _ in range(3)]

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert all(a["rejected"] == 0 for answer in answers for a in answer), answers
    assert sum(a["inserted"] for answer in answers for a in answer) == 800  # 400 entities + 400 transactions
    served.stop()
    assert count(served.db_path, "select count(*) from entities where retriever_ref like '#A%'") == 400
    assert count(served.db_path, "select count(*), count(distinct id) from transactions "
                                 "where id between 9500000 and 9500399") == 400


def small_batches() -> list[tuple[bytes, int, list[int] | None]]:
    """(body, records stored, indexes rejected; None for a malformed body) of 24 small batches: plain, CRLF lines
    with a blank line and no final newline, a bad status or an unknown kind inside, an entity with its transaction,
    and one body that is not JSON lines."""
    found = []
    for i in range(24):
        lines = entity_lines([f"#S{i}-{j}" for j in range(1 + i % 3)])
        if i % 4 == 1:
            lines.insert(1, entity_lines([f"#S{i}-bad"], status="done")[0])
        if i % 6 == 2:
            lines.append(json.dumps({"kind": "parcels", "id": i}).encode())
        if i == 7:
            lines = entity_lines(["#A7"]) + transaction_lines([7])
        rejected = [n for n, line in enumerate(lines) if b'"done"' in line or b"parcels" in line]
        body = b"\r\n".join([lines[0], b"", *lines[1:]]) if i % 5 == 3 else ndjson(lines)  # index counts records
        found.append((body, len(lines) - len(rejected), rejected))
    found.append((b'{"kind": "entities"}\n{"kind": oops\n', 0, None))
    return found


def _merged_loads(server) -> float:
    """Loads that merged two or more posted batches, from /metrics."""
    lines = dict(line.rsplit(" ", 1) for line in httpx.get(f"{server.url}/metrics", timeout=30).text.splitlines()
                 if line.startswith("entities_ingest_batches_per_load_"))
    return float(lines["entities_ingest_batches_per_load_count"]) - float(
        lines['entities_ingest_batches_per_load_bucket{le="1.0"}'])


def test_concurrent_small_posts_merge_and_each_sender_gets_its_own_answer(served):
    """Many senders post small batches at once while a large one loads: the writer merges them, every record is
    stored once, each sender gets the answer for its own records, and a re-send of all of them changes nothing."""
    batches = small_batches()
    large = ndjson(entity_lines([f"#BIG{i}" for i in range(40_000)]))

    def send_all() -> list[httpx.Response]:
        answers: list = [None] * len(batches)

        def send(i: int) -> None:
            answers[i] = post(served, batches[i][0])

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(batches))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        return answers

    big = threading.Thread(target=lambda: post(served, large))
    big.start()
    first = send_all()
    big.join(300)
    second = send_all()
    for (_, stored, rejected), answer, again in zip(batches, first, second, strict=True):
        if rejected is None:
            assert (answer.status_code, again.status_code) == (400, 400) and "line 2" in answer.json()["error"]
            continue
        assert answer.status_code == 200, answer.text
        assert (answer.json()["inserted"], [r["index"] for r in answer.json()["rejects"]]) == (stored, rejected)
        assert (again.json()["inserted"], again.json()["unchanged"]) == (0, stored)
    assert _merged_loads(served) >= 1
    served.stop()
    assert count(served.db_path, "select count(*) from entities where retriever_ref like '#S%'") == sum(
        stored for _, stored, rejected in batches if rejected is not None) - 2  # #A7 and its transaction
    assert count(served.db_path, "select count(*) from entities where retriever_ref like '#BIG%'") == 40_000
    assert count(served.db_path, "select count(*) from transactions where id = 9500007") == 1


def test_kill_9_mid_batch_then_resend_equals_one_clean_ingest(fixture_db, tmp_path):
    """The app is killed while writing a large batch; after a restart and a re-send the data is as if sent once."""
    made = make_tokens(fixture_db)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    refs = [f"#K{i}" for i in range(60_000)]
    body = ndjson(entity_lines(refs))
    server = Server(fixture_db, {"TMPDIR": str(scratch)})
    server.tokens = made
    sender = threading.Thread(target=lambda: _swallow(lambda: post(server, body)))
    sender.start()
    wait_until(lambda: any(scratch.glob("entities-batch-*/entities.checked.parquet")), 120, "the batch to be checked")
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait(30)
    sender.join(60)
    after_crash = count(fixture_db, "select count(*) from entities where retriever_ref like '#K%'")
    assert after_crash in (0, len(refs))
    shutil.rmtree(scratch)
    server = Server(fixture_db)
    server.tokens = made
    response = post(server, body)
    server.stop()
    assert response.status_code == 200 and response.json()["inserted"] + response.json()["unchanged"] == len(refs)
    assert count(fixture_db, "select count(*) from entities where retriever_ref like '#K%'") == len(refs)


def _swallow(call) -> None:
    try:
        call()
    except httpx.HTTPError:
        pass  # the server was killed under it


def test_import_while_the_app_runs_goes_through_it(served, tmp_path):
    """`entities import` on the database the app is serving loads through the app: same table, rejects file and
    exit code 2 for a rejected row, and the rows are there."""
    from test_api_tokens import entities

    source = tmp_path / "entities-live.jsonl"
    source.write_bytes(ndjson([line.replace(b'"kind": "entities", ', b"") for line in entity_lines(["#L1", "#L2"])]
                              + [b'{"integration_id": 1, "type": "order", "retriever_ref": "#L3", "status": "done", '
                                 b'"last_updated": "2026-11-26T12:00:00Z"}']))
    done = entities("import", "--db", str(served.db_path), str(source))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "in use" not in done.stderr
    header, row = done.stdout.splitlines()[:2]
    assert header.split() == ["kind", "file", "read", "loaded", "updated", "unchanged", "rejected"]
    assert row.split() == ["entities", "entities-live.jsonl", "3", "2", "0", "0", "1"]
    assert "unknown status 'done'" in (tmp_path / "entities-live.jsonl.rejects.csv").read_text()
    served.stop()
    assert count(served.db_path, "select count(*) from entities where retriever_ref in ('#L1', '#L2')") == 2


def test_ingested_rows_show_in_metrics_and_health(served):
    """After a batch, /metrics counts its rows by kind and result and /health has the last ingest time."""
    post(served, SAMPLE.read_bytes())
    metrics = httpx.get(f"{served.url}/metrics", timeout=30).text
    assert 'entities_ingest_rows_total{kind="entities",result="inserted"} 1.0' in metrics
    assert 'entities_ingest_rows_total{kind="entities",result="rejected"} 1.0' in metrics
    assert httpx.get(f"{served.url}/api/v1/health", timeout=30).json()["ingest"]["last_ingest_at"]


def test_order_totals_post_like_files_and_read_back_as_exact_strings(api):
    """A sync engine posts orders with totals: good ones read back as exact strings, bad ones come back with the
    import's reasons (one contract)."""
    orders = [({"total": "1234.5", "currency": "SEK"}, None),
              ({"total": "12.345", "currency": "SEK"}, "total '12.345' has more than 2 decimals"),
              ({"total": "99.00"}, "total '99.00' has no currency"),
              ({"total": "99.00", "currency": "SE"}, "currency 'SE' is not an ISO 4217 code")]
    lines = [json.dumps({"kind": "entities", "integration_id": 1, "type": "order", "retriever_ref": f"#TOT-{i}",
                         "status": "synced", "last_updated": "2026-11-26T12:00:00Z", **fields}).encode()
             for i, (fields, _) in enumerate(orders)]
    body = post(api, ndjson(lines)).json()
    assert [(r["index"], r["reason"][:len(reason)]) for r in body["rejects"] for reason in [orders[r["index"]][1]]] \
        == [(i, reason) for i, (_, reason) in enumerate(orders) if reason]
    read = httpx.get(f"{api.url}/api/v1/entities", params={"integration": "1", "type": "order", "q": "#TOT-0"},
                     headers={"Authorization": f"Bearer {api.tokens['read']}"}, timeout=60)
    assert [(r["total"], r["currency"]) for r in read.json()["rows"]] == [("1234.50", "SEK")]


def test_made_up_kinds_are_counted_as_invalid_in_metrics(api):
    """A sender posting records with invented or missing kinds sees them rejected and counted under
    kind="invalid" in /metrics: no label value of its own per invented kind."""
    invented = [f"kind-{i}-{os.getpid()}" for i in range(12)]
    lines = [json.dumps({"kind": kind, "id": 1}).encode() for kind in invented] + [b'{"id": 2}']
    before = _invalid_rejected(api)
    answer = post(api, ndjson(lines))
    assert answer.status_code == 200 and answer.json()["rejected"] == len(lines)
    metrics = httpx.get(f"{api.url}/metrics", timeout=30).text
    assert not any(kind in metrics for kind in invented)
    assert _invalid_rejected(api) == before + len(lines)


def _invalid_rejected(server) -> float:
    for line in httpx.get(f"{server.url}/metrics", timeout=30).text.splitlines():
        if line.startswith('entities_ingest_rows_total{kind="invalid",result="rejected"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
