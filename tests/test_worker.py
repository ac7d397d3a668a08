"""The retry worker: takes queued retries, runs the handler, records the outcome in one transaction."""
import socket
import subprocess
import sys

import pytest
from conftest import ROOT, held_database

import queries
from entities import db
from entities.identity import Principal
from entities.sync import handlers, policy, retry, worker


def operator(name: str) -> Principal:
    return Principal(name, kind="user", role="operator")


def run_retry(con, entity_id, handler=handlers.simulated, **worker_args):
    retry.request(con, [entity_id], operator("ops@example.com"))
    assert worker.Worker(con, handler, **worker_args).drain() == 1
    entity = queries.records(con, "entity_detail", entity_id=entity_id)[0]
    last = queries.records(con, "entity_history", entity_id=entity_id, page_size=1, offset=0)[0]
    return entity, last


def test_transient_error_succeeds_on_retry(con):
    """Retrying a rate-limited order makes it synced, keeps its storer ref and adds a success retry row."""
    entity, last = run_retry(con, 4)
    assert (entity["status"], entity["storer_ref"], entity["error_code"]) == ("synced", "F-5004", None)
    assert (last["operation"], last["outcome"], last["actor"]) == ("retry", "success", worker.ACTOR)


def test_data_error_fails_again_with_same_code(con):
    """Retrying an order whose article is missing fails again with ARTICLE_NOT_FOUND and its message."""
    entity, last = run_retry(con, 2)
    assert (entity["status"], entity["error_code"]) == ("error", "ARTICLE_NOT_FOUND")
    assert entity["error_message"] == "Article 'SKU-1234' not found in Fortnox"
    assert (last["outcome"], last["error_code"]) == ("error", "ARTICLE_NOT_FOUND")


@pytest.mark.parametrize("entity_id, state", [(4, "succeeded"), (2, "failed")])
def test_request_is_finished_with_its_transaction(con, entity_id, state):
    """After the worker ran, the request is closed with its state and points at the outcome transaction."""
    _, last = run_retry(con, entity_id)
    request = queries.records(con, "retry_requests_of_entity", entity_id=entity_id)[0]
    assert (request["state"], request["transaction_id"], request["open_entity_id"]) == (state, last["id"], None)
    assert request["finished_at"] is not None


def test_pending_record_without_storer_ref_gets_one(con):
    """Retrying a pending order that was never stored gives it a storer reference."""
    entity, _ = run_retry(con, 3)
    assert (entity["status"], entity["storer_ref"]) == ("synced", "F-3")


def test_broken_handler_records_error_and_loses_nothing(con):
    """A handler that crashes leaves an error outcome with the reason, and the request is closed."""
    def broken(job):
        raise RuntimeError("disk on fire")

    entity, last = run_retry(con, 4, broken)
    assert entity["status"] == "error" and "disk on fire" in last["message"]
    assert queries.one(con, "retry_request_counts", entity_id=4)[1] == 0


def test_accepted_202_keeps_entity_pending(con):
    """A target that accepts the retry asynchronously leaves the record pending and the queue free."""
    def accepted(job):
        return handlers.Outcome("pending", "Accepted (HTTP 202)", "{}", "{}")

    entity, last = run_retry(con, 4, accepted)
    assert (entity["status"], last["outcome"]) == ("pending", "pending")
    assert retry.request(con, [4], operator("again")).queued == [4]


def test_interrupted_request_is_requeued(con):
    """A request left running by a stopped worker is picked up again by the next worker."""
    retry.request(con, [4], operator("ops"))
    first = worker.Worker(con)
    assert first.claim() is not None
    second = worker.Worker(con)
    second.requeue_interrupted()
    assert second.drain() == 1


def cli(*args):
    return subprocess.run([sys.executable, "-m", "entities.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_cli_retry_then_worker_once(fixture_db):
    """An operator queues a retry and runs the worker from the shell; the record ends synced."""
    queued = cli("retry", "--db", str(fixture_db), "--id", "4", "--actor", "shell")
    assert queued.returncode == 0, queued.stderr
    again = cli("retry", "--db", str(fixture_db), "--id", "4")
    assert again.returncode == 1 and "already queued or running" in again.stdout
    done = cli("worker", "--db", str(fixture_db), "--once")
    assert done.returncode == 0 and "processed 1" in done.stdout
    con = db.connect(fixture_db)
    assert queries.records(con, "entity_detail", entity_id=4)[0]["status"] == "synced"
    con.close()


@pytest.mark.parametrize("command", [["retry", "--id", "4"], ["worker", "--once"]])
def test_cli_refuses_when_app_holds_database(fixture_db, command):
    """With the database held by another process, retry/worker name that process and change nothing."""
    with held_database(fixture_db) as pid:
        result = cli(command[0], "--db", str(fixture_db), *command[1:])
    assert result.returncode == 3
    assert f"process {pid}" in result.stderr and "Nothing was changed" in result.stderr
    con = db.connect(fixture_db)
    assert queries.one(con, "retry_request_counts", entity_id=4) == (0, 0, 0)
    con.close()


def test_unreachable_webhook_is_recorded_as_error(con):
    """With the webhook target down, the retry ends as an error naming the refusal, and the queue is free."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/retry"
    no_policy = {1: policy.Policy(auto_retry=False)}
    entity, last = run_retry(con, 4, lambda job: handlers.webhook(job, url, 0.5), policies=no_policy)
    assert (entity["status"], entity["error_code"], last["outcome"]) == ("error", "WEBHOOK_UNREACHABLE", "error")
    assert "refused" in last["message"].lower()
    assert queries.one(con, "retry_request_counts", entity_id=4)[1] == 0
