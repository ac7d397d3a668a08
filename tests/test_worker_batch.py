"""The batched webhook (ENTITIES_WEBHOOK_BATCH / an integration's batch size) against the real local receiver:
per-request outcomes from one answer, failures per call, payloads, limits, and kill -9 redelivery."""
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT
from test_worker_scale import last_outcome, requests_of

import queries
from entities import db
from entities.cli.webhook_target import Behaviour, WebhookTarget
from entities.identity import Principal
from entities.sync import handlers, policy, retry, worker

OPS = Principal("ops", kind="user", role="operator")
FIXTURE_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 20, 21, 30, 31]  # integration 1
OTHER_IDS = [40, 41, 42]  # integration 2


def batched(size=25, **changes):
    return policy.Policy(**({"concurrency": 8, "rate_requests": None, "auto_retry": False, "batch_size": size}
                            | changes))


def batch_worker(con, target, policies, deadline=5.0):
    return worker.Worker(con, lambda job: handlers.webhook(job, target.url, deadline),
                         batch_handler=lambda jobs: handlers.webhook_batch(jobs, target.url, deadline),
                         deadline=deadline, policies=policies)


def detail(con, entity_id):
    return queries.records(con, "entity_detail", entity_id=entity_id)[0]


def test_each_request_gets_its_own_outcome_from_one_batched_answer(con, target):
    """Retrying a dozen records in batches applies the answer's success, error and pending to each record."""
    target.behave(1, Behaviour(results={
        4: {"outcome": "error", "error_code": "VAT_CODE_MISMATCH", "message": "VAT 25% not allowed"},
        5: {"outcome": "pending"},
        6: {"outcome": "success", "storer_ref": "F-906", "message": "Updated F-906"}}))
    retry.request(con, FIXTURE_IDS, OPS)
    batch_worker(con, target, {1: batched()}).run(once=True)
    assert max(r.batch for r in target.received(1)) > 1
    assert (detail(con, 4)["status"], last_outcome(con, 4)["error_code"]) == ("error", "VAT_CODE_MISMATCH")
    assert last_outcome(con, 4)["message"] == "VAT 25% not allowed"
    assert (detail(con, 5)["status"], last_outcome(con, 5)["outcome"]) == ("pending", "pending")
    assert (detail(con, 6)["storer_ref"], last_outcome(con, 6)["message"]) == ("F-906", "Updated F-906")
    rest = [i for i in FIXTURE_IDS if i not in (4, 5, 6)]
    assert [detail(con, i)["storer_ref"] for i in rest] == [f"T-{i}" for i in rest]
    assert [requests_of(con, i)[0]["state"] for i in FIXTURE_IDS] == \
        ["failed" if i == 4 else "succeeded" for i in FIXTURE_IDS]


def test_a_request_left_out_of_the_answer_fails_alone(con, target):
    """A batched answer without one record's result fails only that record, as WEBHOOK_RESULT_MISSING."""
    target.behave(1, Behaviour(results={5: None}))
    retry.request(con, FIXTURE_IDS, OPS)
    batch_worker(con, target, {1: batched()}).run(once=True)
    missing = last_outcome(con, 5)
    assert (missing["error_code"], detail(con, 5)["status"]) == ("WEBHOOK_RESULT_MISSING", "error")
    assert f"no result for request_id {requests_of(con, 5)[0]['id']}" in missing["message"]
    assert all(detail(con, i)["status"] == "synced" for i in FIXTURE_IDS if i != 5)


def test_a_missing_result_is_transient_in_a_new_database(tmp_path):
    """A new database's error catalogue lists WEBHOOK_RESULT_MISSING as transient, so the policy retries it."""
    con = db.connect(tmp_path / "new.duckdb", create=True)
    assert policy.transient_codes(con)["WEBHOOK_RESULT_MISSING"] is True
    con.close()


@pytest.mark.parametrize("how, outcome, code, status", [
    (Behaviour(kind="answer", status=503, body=b"Service Unavailable"), "error", "UPSTREAM_5XX", "error"),
    (Behaviour(kind="answer", status=422, body=b'{"error": "no"}'), "error", "WEBHOOK_REJECTED", "error"),
    (Behaviour(kind="answer", body=b'{"outcome": "success"}'), "error", "WEBHOOK_BAD_RESPONSE", "error"),
    (Behaviour(kind="answer", body=b"<html>ok</html>"), "error", "WEBHOOK_BAD_RESPONSE", "error"),
    (Behaviour(kind="answer", status=202, body=b'{"queued": true}'), "pending", None, "pending"),
    (Behaviour(kind="close", body=b'{"results": ['), "error", "WEBHOOK_CONNECTION_CLOSED", "error"),
    (Behaviour(kind="hang"), "error", "TIMEOUT", "error"),
], ids=["503", "422", "single-form-answer", "not-json", "202", "closed", "hang"])
def test_a_failed_batched_call_gives_every_request_its_reason(con, target, how, outcome, code, status):
    """When the batched call as a whole fails (or is accepted for later), each of its records shows why."""
    target.behave(1, how)
    retry.request(con, [4, 5, 6], OPS)
    batch_worker(con, target, {1: batched()}, deadline=1.0).run(once=True)
    assert [r.batch for r in target.received(1)] == [3, 3, 3]
    for entity_id in (4, 5, 6):
        row = last_outcome(con, entity_id)
        assert (row["outcome"], row["error_code"], detail(con, entity_id)["status"]) == (outcome, code, status)
        assert "a batched call of 3 requests" in row["message"]


def test_unreachable_target_fails_every_request_of_the_batch(con):
    """With nothing listening, each record of the batch is recorded as WEBHOOK_UNREACHABLE (transient)."""
    with WebhookTarget() as gone:
        url = gone.url
    retry.request(con, [4, 5], OPS)
    w = worker.Worker(con, lambda job: handlers.webhook(job, url, 1.0),
                      batch_handler=lambda jobs: handlers.webhook_batch(jobs, url, 1.0), policies={1: batched()})
    w.run(once=True)
    assert [last_outcome(con, i)["error_code"] for i in (4, 5)] == ["WEBHOOK_UNREACHABLE"] * 2


def test_payload_inside_a_batch_is_byte_identical_to_the_single_call(con, target):
    """A record retried alone and then in a batch reaches the target with the same JSON, byte for byte."""
    ids = [4, 5, 6, 20]
    target.behave(1, Behaviour(kind="answer", body=b'{"outcome": "error", "error_code": "VAT_CODE_MISMATCH"}'))
    retry.request(con, ids, OPS)
    batch_worker(con, target, {1: batched(1)}).run(once=True)  # an error: the record's storer_ref stays as it was
    target.behave(1, Behaviour())
    retry.request(con, ids, OPS)
    batch_worker(con, target, {1: batched(4)}).run(once=True)
    single = {r.entity_id: r for r in target.received(1) if r.batch == 0}
    inside = {r.entity_id: r for r in target.received(1) if r.batch == 4}
    assert set(single) == set(inside) == set(ids)
    for entity_id in ids:
        first, second = single[entity_id], inside[entity_id]
        assert second.body.split(b'"payload": ', 1)[1] == first.body.split(b'"payload": ', 1)[1]
        assert second.body == first.body.replace(f'"request_id": {first.key},'.encode(),
                                                 f'"request_id": {second.key},'.encode())
        stored = queries.records(con, "transaction_payloads", entity_id=entity_id,
                                 transaction_id=last_outcome(con, entity_id)["id"])[0]
        assert stored["request_payload"].encode() == second.body


def test_batched_call_lists_every_idempotency_key(con, target):
    """Each batched call names its requests' ids in Idempotency-Keys, matching each element's request_id."""
    retry.request(con, FIXTURE_IDS, OPS)
    batch_worker(con, target, {1: batched(5)}).run(once=True)
    got = target.received(1)
    assert all(json.loads(r.body)["request_id"] == int(r.key) for r in got)
    assert sorted(int(k) for k in target.keys()) == sorted(requests_of(con, i)[0]["id"] for i in FIXTURE_IDS)
    assert max(r.batch for r in got) == 5 and len({r.call for r in got}) >= 3


def test_batches_never_mix_integrations(con, target):
    """Retrying two integrations' records in batches sends each call only one integration's records."""
    retry.request(con, FIXTURE_IDS + OTHER_IDS, OPS)
    batch_worker(con, target, {1: batched(), 2: batched()}).run(once=True)
    got = target.received()
    assert len(got) == len(FIXTURE_IDS + OTHER_IDS)
    by_call = {}
    for r in got:
        by_call.setdefault(r.call, set()).add((r.integration_id, r.element_integration))
    assert all(len(pairs) == 1 and len(set(next(iter(pairs)))) == 1 for pairs in by_call.values())
    assert {i for pairs in by_call.values() for i, _ in pairs} == {1, 2}


def test_concurrency_counts_calls_and_the_rate_limit_counts_records(con, target):
    """With 2 calls at once and '5 records per 1 s', batches of 3 stay within both limits at the target."""
    target.behave(1, Behaviour(delay=0.1))
    retry.request(con, FIXTURE_IDS, OPS)
    batch_worker(con, target, {1: batched(3, concurrency=2, rate_requests=5, rate_seconds=1.0)}).run(once=True)
    got = target.received(1)
    assert len(got) == len(FIXTURE_IDS) and target.seen.by_integration[1].most <= 2
    assert max(r.batch for r in got) == 3
    arrived = sorted(r.arrived for r in got)
    # the worker sends record k and k+5 >= 1 s apart; allow 0.3 s of delivery jitter
    assert min(b - a for a, b in zip(arrived, arrived[5:], strict=False)) >= 0.7


@pytest.mark.parametrize("setting, form", [("", "single"), ("1", "single"), ("4", "batched")])
def test_worker_command_follows_the_batch_setting(fixture_db, target, setting, form):
    """`entities worker --once` sends one call per record unless ENTITIES_WEBHOOK_BATCH asks for batches."""
    con = db.connect(fixture_db)
    retry.request(con, FIXTURE_IDS[:8], OPS)
    con.close()
    env = dict(os.environ, ENTITIES_RETRY_HANDLER="webhook", ENTITIES_WEBHOOK_URL=target.url,
               ENTITIES_WEBHOOK_BATCH=setting, ENTITIES_WORKER_RATE_REQUESTS="none")
    done = subprocess.run([sys.executable, "-m", "entities.cli", "worker", "--db", str(fixture_db), "--once"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    got = target.received(1)
    assert len(got) == 8
    if form == "single":
        assert {r.batch for r in got} == {0} and len({r.call for r in got}) == 8
        assert all(r.key == str(json.loads(r.body)["request_id"]) for r in got)
    else:
        assert max(r.batch for r in got) > 1 and all(r.batch <= 4 for r in got)


def test_policy_command_sets_one_integrations_batch_size(fixture_db, capsys):
    """An operator turns batches of 25 on for integration 1 from the shell, and a bad size is refused."""
    from entities.cli import main

    assert main(["policy", "--db", str(fixture_db), "--integration", "1", "--batch", "25"]) == 0
    assert "batches of 25" in capsys.readouterr().out
    con = db.connect(fixture_db)
    assert policy.load(con)[1].batch_size == 25 and policy.load(con)[2].batch_size == 1
    con.close()
    with pytest.raises(SystemExit):
        main(["policy", "--db", str(fixture_db), "--integration", "1", "--batch", "0"])
    assert "not a whole number of 1 or more" in capsys.readouterr().err
