"""The concurrent retry worker against a real local webhook target: limits, deadlines, idempotency, the
auto-retry policy, and requests that never stick. No timed assertions: orderings and counts only."""
import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ROOT, wait_until

import queries
from entities import db
from entities.cli.webhook_target import Behaviour
from entities.identity import AUTO_RETRY, Principal
from entities.sync import handlers, policy, retry, worker

NO_LIMITS = policy.Policy(concurrency=8, rate_requests=None, auto_retry=False)
FIXTURE_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 20, 21, 30, 31]  # integration 1
OTHER_IDS = [40, 41, 42]  # integration 2

OPS = Principal("ops", kind="user", role="operator")
ANNA = Principal("anna", kind="user", role="operator")


class Clock:
    """A fake clock the worker reads instead of the wall clock."""

    def __init__(self):
        self.at = datetime.now(UTC)

    def __call__(self):
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def webhook_worker(con, target, deadline=5.0, **args):
    return worker.Worker(con, lambda job: handlers.webhook(job, target.url, deadline), deadline=deadline, **args)


def requests_of(con, entity_id):
    return queries.records(con, "retry_requests_of_entity", entity_id=entity_id)


def last_outcome(con, entity_id):
    return next(r for r in queries.records(con, "entity_history", entity_id=entity_id, page_size=50, offset=0)
                if r["actor"] == worker.ACTOR)


def test_concurrency_limit_is_respected(con, target):
    """Retrying a dozen records of one integration never has more than its limit at the target at once."""
    target.behave(1, Behaviour(delay=0.2))
    retry.request(con, FIXTURE_IDS, OPS)
    limited = {1: policy.Policy(concurrency=3, rate_requests=None, auto_retry=False)}
    assert webhook_worker(con, target, concurrency=8, policies=limited).run(once=True) == len(FIXTURE_IDS)
    assert target.seen.by_integration[1].most == 3
    assert all(requests_of(con, i)[0]["state"] == "succeeded" for i in FIXTURE_IDS)


def test_several_calls_run_at_once_across_integrations(con, target):
    """With room for eight, two integrations' retries reach the target side by side."""
    target.behave(1, Behaviour(delay=0.2))
    target.behave(2, Behaviour(delay=0.2))
    retry.request(con, FIXTURE_IDS + OTHER_IDS, OPS)
    webhook_worker(con, target, concurrency=8, policies={1: NO_LIMITS, 2: NO_LIMITS}).run(once=True)
    assert 1 < target.seen.total.most <= 8
    assert len(target.received()) == len(FIXTURE_IDS + OTHER_IDS)


def test_rate_limit_is_respected(con, target):
    """With '2 requests per 1 s', no three calls reach the target within one window."""
    retry.request(con, FIXTURE_IDS[:6], OPS)
    limited = {1: policy.Policy(concurrency=4, rate_requests=2, rate_seconds=1.0, auto_retry=False)}
    webhook_worker(con, target, policies=limited).run(once=True)
    arrived = sorted(r.arrived for r in target.received(1))
    assert len(arrived) == 6
    # the worker spaces call k and k+2 by >= 1 s when it sends them; allow 0.3 s of delivery jitter
    assert min(b - a for a, b in zip(arrived, arrived[2:], strict=False)) >= 0.7


def test_one_entity_is_never_processed_twice_at_once(con, target):
    """A record retried again and again by the policy reaches the target one attempt at a time, in order."""
    target.behave(1, Behaviour(kind="answer", delay=0.05,
                               body=b'{"outcome": "error", "error_code": "RATE_LIMITED", "message": "429"}'))
    retry.request(con, [4, 5], OPS)
    fast = {1: policy.Policy(concurrency=8, rate_requests=None, base_seconds=0.01, cap_seconds=0.01,
                             max_attempts=4)}
    clock = Clock()
    w = webhook_worker(con, target, policies=fast, now=clock)
    for _ in range(5):
        w.run(once=True)
        clock.advance(1)
    for entity_id in (4, 5):
        attempts = [r.attempt for r in target.received(1) if r.entity_id == entity_id]
        assert attempts == ["1", "2", "3", "4"]
        assert target.seen.by_entity[entity_id].most == 1


def test_retry_after_retry_sends_the_engine_payload_byte_for_byte(con, target):
    """Retrying a record three times sends the sync engine's last request unchanged every time."""
    engine = queries.scalar(con, "entity_last_request_payload", entity_id=4).encode()
    w = webhook_worker(con, target, policies={1: NO_LIMITS})
    for _ in range(3):
        assert retry.request(con, [4], OPS).queued == [4]
        w.run(once=True)
    bodies = [r.body for r in target.received(1)]
    assert len(bodies) == 3
    assert {body.split(b'"payload": ', 1)[1][:-1] for body in bodies} == {engine}


def test_every_call_carries_the_request_id_as_idempotency_key(con, target):
    """Each webhook call names its retry request in the Idempotency-Key header."""
    retry.request(con, [4, 31], OPS)
    webhook_worker(con, target, policies={1: NO_LIMITS}).run(once=True)
    ids = {str(r["id"]) for i in (4, 31) for r in requests_of(con, i)}
    assert set(target.keys()) == ids


def test_trickling_target_is_cut_at_the_deadline_while_others_flow(con, target):
    """A target that trickles its answer forever ends as TIMEOUT, and the other integration's retries finish."""
    target.behave(1, Behaviour(kind="trickle", delay=0.1))
    retry.request(con, [4], OPS)
    retry.request(con, OTHER_IDS, OPS)
    webhook_worker(con, target, deadline=2.0, policies={1: NO_LIMITS, 2: NO_LIMITS}).run(once=True)
    cut = last_outcome(con, 4)
    assert (cut["outcome"], cut["error_code"]) == ("error", "TIMEOUT")
    assert "did not answer within 2 s" in cut["message"] and "bytes received" in cut["message"]
    trickled = requests_of(con, 4)[0]
    others = [requests_of(con, i)[0] for i in OTHER_IDS]
    assert all(r["state"] == "succeeded" for r in others)
    assert max(r["finished_at"] for r in others) < trickled["finished_at"]


def test_answer_past_the_size_cap_is_recorded_as_too_large(con, target):
    """A target answering with a huge body is recorded as too large, with its first bytes kept."""
    target.behave(1, Behaviour(kind="answer", body=b'{"outcome": "success", "pad": "' + b"x" * 300_000 + b'"}'))
    retry.request(con, [4], OPS)
    worker.Worker(con, lambda job: handlers.webhook(job, target.url, 5, max_answer=100_000),
                  policies={1: NO_LIMITS}).run(once=True)
    row = last_outcome(con, 4)
    assert row["error_code"] == "WEBHOOK_ANSWER_TOO_LARGE"
    payload = queries.records(con, "transaction_payloads", entity_id=4, transaction_id=row["id"])[0]
    assert payload["response_payload"].startswith('{"outcome": "success", "pad": "xxx')
    assert len(payload["response_payload"]) == handlers.KEPT_OF_TOO_LARGE


def test_connection_closed_mid_answer_is_the_targets_fault_with_bytes_kept(con, target):
    """A target that hangs up halfway through its answer is filed as WEBHOOK_CONNECTION_CLOSED with what came."""
    target.behave(1, Behaviour(kind="close", body=b'{"outcome": "succ'))
    retry.request(con, [4], OPS)
    webhook_worker(con, target, policies={1: NO_LIMITS}).run(once=True)
    row = last_outcome(con, 4)
    assert row["error_code"] == "WEBHOOK_CONNECTION_CLOSED" and "17 bytes received" in row["message"]
    payload = queries.records(con, "transaction_payloads", entity_id=4, transaction_id=row["id"])[0]
    assert payload["response_payload"] == '{"outcome": "succ'


@pytest.mark.parametrize("body", [
    b'{"outcome": "error", "error_code": "VAT_CODE_MISMATCH", "message": "VAT \\ud800 not allowed"}',
    b'{"outcome": "error", "error_code": "VAT_CODE_MISMATCH", "message": "VAT \xff\xfe not allowed"}',
], ids=["lone-surrogate", "invalid-utf8"])
def test_unstorable_text_in_an_answer_is_recorded_not_stuck(con, target, body):
    """A webhook answer with a lone surrogate or invalid UTF-8 is stored with U+FFFD, flagged, and finished."""
    target.behave(1, Behaviour(kind="answer", body=body))
    retry.request(con, [4], OPS)
    webhook_worker(con, target, policies={1: NO_LIMITS}).run(once=True)
    assert requests_of(con, 4)[0]["state"] == "failed"
    row = last_outcome(con, 4)
    assert "VAT \ufffd" in row["message"] and "U+FFFD" in row["message"]
    assert queries.records(con, "entity_detail", entity_id=4)[0]["status"] == "error"


def test_surrogate_answer_does_not_crash_worker_once(fixture_db, target):
    """`entities worker --once` finishes a request whose answer holds "\\ud800" and exits cleanly."""
    target.behave(1, Behaviour(kind="answer", body=b'{"outcome": "success", "storer_ref": "F-\\ud800"}'))
    con = db.connect(fixture_db)
    retry.request(con, [4], OPS)
    con.close()
    env = dict(os.environ, ENTITIES_RETRY_HANDLER="webhook", ENTITIES_WEBHOOK_URL=target.url)
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "entities.cli", "worker", "--db", str(fixture_db), "--once"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    con = db.connect(fixture_db)
    assert queries.records(con, "entity_detail", entity_id=4)[0]["storer_ref"] == "F-\ufffd"
    assert [r["state"] for r in requests_of(con, 4)] == ["succeeded"]
    con.close()


def test_outcome_that_cannot_be_written_fails_the_request_with_the_reason(con):
    """A handler outcome the database refuses ends the request as failed with the reason, never running."""
    retry.request(con, [4], OPS)
    worker.Worker(con, lambda job: handlers.Outcome("exploded", "??", "{}"), policies={1: NO_LIMITS}).drain()
    assert requests_of(con, 4)[0]["state"] == "failed"
    row = last_outcome(con, 4)
    assert row["error_code"] == "OUTCOME_NOT_RECORDED" and "could not be recorded" in row["message"]


def test_watchdog_returns_abandoned_requests_then_fails_them(con):
    """A request left running is requeued by the watchdog, and after three claims it fails as interrupted."""
    retry.request(con, [4], OPS)
    w = worker.Worker(con, handlers.simulated, deadline=10)
    for _ in range(worker.MAX_CLAIMS):
        assert w.claim() is not None
        assert w.reclaim(datetime.now(UTC) - timedelta(seconds=60)) == 0  # still young: left alone
        assert w.reclaim(datetime.now(UTC) + timedelta(hours=1)) == 1
    request = requests_of(con, 4)[0]
    assert request["state"] == "failed"
    assert last_outcome(con, 4)["error_code"] == "RETRY_INTERRUPTED"


@pytest.mark.parametrize("attempt, rand, seconds", [
    (1, 0.0, 15), (1, 0.999, 29.985), (2, 0.0, 30), (3, 0.0, 50), (4, 0.5, 75), (9, 0.999, 99.95),
])
def test_backoff_schedule(attempt, rand, seconds):
    """The wait before the next attempt doubles from the base, is capped, and is jittered into [50%, 100%)."""
    rules = policy.Policy(base_seconds=30, factor=2, cap_seconds=100)
    assert rules.delay(attempt, rand) == pytest.approx(seconds)


def always(code):
    return lambda job: handlers.Outcome("error", f"{code} from the target", job.body_text(), error_code=code)


def test_backoff_on_a_fake_clock_schedules_and_waits(con):
    """A rate-limited retry is retried by the policy only once its backoff has passed on the clock."""
    clock = Clock()
    rules = {1: policy.Policy(base_seconds=60, factor=2, cap_seconds=600, max_attempts=5)}
    w = worker.Worker(con, always("RATE_LIMITED"), now=clock, rand=lambda: 0.0, policies=rules)
    retry.request(con, [4], OPS)
    assert w.drain() == 1
    scheduled = requests_of(con, 4)[0]
    assert (scheduled["state"], scheduled["attempt"], scheduled["requested_by"]) == ("queued", 2, AUTO_RETRY.name)
    assert scheduled["not_before"] == clock() + timedelta(seconds=30)
    clock.advance(29)
    assert w.drain() == 0
    clock.advance(2)
    assert w.drain() == 1
    assert requests_of(con, 4)[0]["not_before"] == clock() + timedelta(seconds=60)


def test_gives_up_after_max_attempts(con):
    """A record that keeps timing out is tried max_attempts times, then marked gave up and listed as such."""
    clock = Clock()
    rules = {1: policy.Policy(base_seconds=1, max_attempts=3)}
    w = worker.Worker(con, always("TIMEOUT"), now=clock, policies=rules)
    retry.request(con, [4], OPS)
    handled = 0
    for _ in range(6):
        handled += w.drain()
        clock.advance(600)
    assert handled == 3
    assert [r["attempt"] for r in requests_of(con, 4)] == [3, 2, 1]
    events = queries.records(con, "entity_retry_state", entity_id=4)[0]
    assert (events["gave_up_attempts"], events["gave_up_code"]) == (3, "TIMEOUT")
    gave_up = queries.rows(con, "entity_page", {"filter": "entity_filter_gave_up", "order_by": "last_updated",
                                                "direction": "desc"}, integration=1, type=None, statuses=[],
                           q=None, updated_from=None, updated_to=None, error_group=None, limit=50, offset=0)
    assert [row[0] for row in gave_up] == [4]


@pytest.mark.parametrize("code", ["ARTICLE_NOT_FOUND", "SOMETHING_UNKNOWN"])
def test_permanent_error_is_not_auto_retried(con, code):
    """A data error (or a code the catalogue does not know) is never retried by the policy."""
    w = worker.Worker(con, always(code), policies={1: policy.Policy()})
    retry.request(con, [4], OPS)
    assert w.drain() == 1
    assert [r["state"] for r in requests_of(con, 4)] == ["failed"]


def test_auto_retry_can_be_turned_off_per_integration(con):
    """With auto-retry off for the integration, a transient failure stays an error with nothing queued."""
    w = worker.Worker(con, always("TIMEOUT"), policies={1: policy.Policy(auto_retry=False)})
    retry.request(con, [4], OPS)
    w.drain()
    assert [r["state"] for r in requests_of(con, 4)] == ["failed"]


def test_manual_retry_resets_the_attempts(con):
    """After the policy gave up, a person's retry starts again at attempt 1 and takes over a waiting one."""
    clock = Clock()
    w = worker.Worker(con, always("TIMEOUT"), now=clock, policies={1: policy.Policy(base_seconds=1, max_attempts=2)})
    retry.request(con, [4], OPS)
    w.drain()
    assert requests_of(con, 4)[0]["attempt"] == 2  # waiting for its backoff
    assert retry.request(con, [4], ANNA).queued == [4]
    taken = requests_of(con, 4)[0]
    assert (taken["attempt"], taken["requested_by"], taken["not_before"]) == (1, "anna", None)
    clock.advance(10)
    w.drain()
    clock.advance(10)
    w.drain()
    assert queries.records(con, "entity_retry_state", entity_id=4)[0]["gave_up_attempts"] == 2
    assert retry.request(con, [4], ANNA).queued == [4]
    assert requests_of(con, 4)[0]["attempt"] == 1
    assert queries.records(con, "entity_retry_state", entity_id=4)[0]["gave_up_attempts"] is None


def test_auto_retries_are_recorded_as_the_policy(con):
    """The pending retry row of an automatic retry names the policy, not a person."""
    w = worker.Worker(con, always("RATE_LIMITED"), policies={1: policy.Policy()})
    retry.request(con, [4], ANNA)
    w.drain()
    history = queries.records(con, "entity_history", entity_id=4, page_size=10, offset=0)
    pending = [(r["operation"], r["actor"]) for r in history if r["outcome"] == "pending"]
    assert pending[0] == ("retry", AUTO_RETRY.name) and ("retry", "anna") in pending


@pytest.mark.parametrize("batch", [1, 5])
def test_kill_minus_nine_mid_batch_then_restart_records_each_request_once(demo_db, tmp_path, target, batch):
    """Killing `entities worker` mid-batch (one call per record, or batched calls of 5) and starting it again ends
    every request exactly once; the target sees at most one redelivery per request that was in flight, with the
    same Idempotency-Key."""
    path = tmp_path / "kill.duckdb"
    shutil.copy(demo_db, path)
    con = db.connect(path)
    ids = [r[0] for r in queries.rows(con, "bulk_filter_ids", cap=60, integration=1, type=None, statuses=[],
                                      q=None, updated_from=None, updated_to=None, error_group=None)]
    since = datetime.now(UTC)
    queued = retry.request(con, ids, OPS).queued
    con.close()
    target.default = Behaviour(delay=0.3)
    env = dict(os.environ, ENTITIES_RETRY_HANDLER="webhook", ENTITIES_WEBHOOK_URL=target.url,
               ENTITIES_WEBHOOK_BATCH=str(batch), ENTITIES_WORKER_RATE_REQUESTS="none",
               ENTITIES_WORKER_AUTO_RETRY="off")
    cmd = [sys.executable, "-m", "entities.cli", "worker", "--db", str(path),
           "--concurrency", "4" if batch == 1 else "2"]
    first = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        wait_until(lambda: len(target.received()) >= 12, 60, "the worker to be mid-batch")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    in_flight = {r.key for r in target.received()}
    con = db.connect(path)
    interrupted = {str(r["id"]) for i in queued for r in requests_of(con, i) if r["state"] == "running"}
    assert interrupted & in_flight, "the kill should land while a call is in flight"
    con.close()
    target.default = Behaviour()
    again = subprocess.run(cmd + ["--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    con = db.connect(path)
    states = [r["state"] for i in queued for r in requests_of(con, i) if r["requested_at"] >= since]
    assert len(states) == len(queued) and set(states) == {"succeeded"}
    outcomes = [sum(1 for t in queries.records(con, "entity_history", entity_id=i, page_size=100, offset=0)
                    if t["actor"] == worker.ACTOR and t["occurred_at"] >= since) for i in queued]
    assert outcomes == [1] * len(queued)
    con.close()
    seen = target.keys()
    redelivered = {key for key, n in seen.items() if n > 1}
    assert max(seen.values()) <= 2
    assert redelivered <= interrupted  # only requests cut off mid-flight (sent, not recorded) are sent again
    assert len(seen) == len(queued)
    assert max(r.batch for r in target.received()) == (batch if batch > 1 else 0)  # 0: the single form


def test_ui_filter_params_pick_the_gave_up_filter():
    """The list's gave-up flag selects the gave-up filter macro, and only then."""
    assert queries.filter_macro({"gave_up": True, "error_group": None}) == "entity_filter_gave_up"
    assert queries.filter_macro({"gave_up": False, "error_group": None}) == "entity_filter"


def test_policy_command_turns_auto_retry_off_for_one_integration(fixture_db, capsys):
    """An operator turns auto-retry off for integration 1 from the shell; its transient failures then stay put."""
    from entities.cli import main

    assert main(["policy", "--db", str(fixture_db), "--integration", "1", "--auto-retry", "off",
                 "--rate", "none"]) == 0
    assert "Nordic Outdoor: 4 at once, no rate limit; auto-retry off" in capsys.readouterr().out
    con = db.connect(fixture_db)
    retry.request(con, [4], OPS)
    worker.Worker(con, always("TIMEOUT")).drain()
    assert [r["state"] for r in requests_of(con, 4)] == ["failed"]
    con.close()
    assert main(["policy", "--db", str(fixture_db), "--integration", "1", "--attempts", "0"]) == 2


def test_transient_error_from_the_sync_engine_is_retried_by_the_policy(con):
    """A rate-limit error the sync engine reports while the worker runs gets an automatic retry, once."""
    started = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # just before order #1004's RATE_LIMITED (10:15)
    w = worker.Worker(con, handlers.simulated, now=lambda: started, policies={1: policy.Policy()})
    w.refresh(force=True)
    assert w.sweep() == 1
    scheduled = requests_of(con, 4)[0]
    assert (scheduled["state"], scheduled["attempt"], scheduled["requested_by"]) == ("queued", 2, AUTO_RETRY.name)
    assert w.sweep() == 0  # ARTICLE_NOT_FOUND records (permanent) and #1004 (now open) are left alone
