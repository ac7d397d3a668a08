"""Retry handlers: given one claimed retry (a Job), re-sync the record and say what happened (an Outcome).

Configuration (environment):
- ENTITIES_RETRY_HANDLER: `simulated` (default) or `webhook`.
- ENTITIES_WEBHOOK_URL: where `webhook` POSTs the job as JSON; `{integration_id}` and `{storer}` in it are filled
  in, so each integration can have its own target.
- ENTITIES_WEBHOOK_TIMEOUT: the deadline in seconds for the whole call: connect, send and the complete answer
  (default 10). A target that trickles its answer is cut at the deadline.
- ENTITIES_WEBHOOK_MAX_ANSWER: the most bytes of an answer read (default 1 MiB); past it the answer is recorded
  as too large with its first bytes kept.
- ENTITIES_WEBHOOK_BATCH (or an integration's batch_size, entities/sync/policy.py): with K > 1 the worker sends up
  to K requests of one integration in one POST (webhook_batch; README, "Batched webhook").

Every webhook call carries `Idempotency-Key: <retry request id>`: a request sent again after a crash has the same
key, so the target can drop the duplicate (delivery is at least once to the target, recorded exactly once here).
A handler never raises for an unreachable or misbehaving target: that is an `error` outcome with the reason.
"""
from __future__ import annotations

import heapq
import http.client
import itertools
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from urllib.parse import quote, urlsplit

from entities.textsafe import decode, storable

DEFAULT_WEBHOOK_TIMEOUT = 10.0
DEFAULT_MAX_ANSWER = 1 << 20
KEPT_OF_TOO_LARGE = 4096
RESPONSE_EXCERPT = 300
HEADERS = {"Content-Type": "application/json", "User-Agent": "junipeer-entities"}
REPLACED_NOTE = " [the answer held invalid UTF-8 or lone surrogates; stored with U+FFFD in their place]"


@dataclass(frozen=True)
class Job:
    request_id: int
    entity_id: int
    integration_id: int
    type: str
    retriever_ref: str
    storer_ref: str | None
    storer: str
    actor: str
    error_code: str | None
    error_message: str | None
    transient: bool | None  # from error_codes; None when the code is unknown or there is no error
    last_request_payload: str | None  # the record's last request from the sync engine, as stored
    attempt: int = 1

    def body(self) -> dict:
        return json.loads(self.body_text())

    def body_text(self) -> str:
        """The JSON document a handler sends: the record's identity, then its last engine request embedded
        byte for byte (as a JSON string when it is not valid JSON), so every retry sends the same payload."""
        head = {"request_id": self.request_id, "entity_id": self.entity_id, "integration_id": self.integration_id,
                "type": self.type, "retriever_ref": self.retriever_ref, "storer_ref": self.storer_ref,
                "actor": self.actor, "attempt": self.attempt}
        return json.dumps(head, ensure_ascii=False)[:-1] + ', "payload": ' + _embedded(self.last_request_payload) + "}"


@dataclass(frozen=True)
class Outcome:
    outcome: str  # success | error | pending
    message: str
    request_payload: str | None
    response_payload: str | None = None
    storer_ref: str | None = None
    error_code: str | None = None
    text_replaced: bool = False  # outside text had to be repaired to be stored

    def as_dict(self) -> dict:
        return asdict(self)

    def storable(self) -> Outcome:
        """The same outcome with every text field safe to store; flagged in the message when anything changed."""
        changed = {}
        for name in ("message", "request_payload", "response_payload", "storer_ref", "error_code"):
            fixed, replaced = storable(getattr(self, name))
            if replaced:
                changed[name] = fixed
        if not changed:
            return self
        out = replace(self, **changed, text_replaced=True)
        return out if self.text_replaced else replace(out, message=out.message + REPLACED_NOTE)

    def storable_with(self, bytes_replaced: bool) -> Outcome:
        """storable(), also flagged when the answer's bytes were not valid UTF-8."""
        if bytes_replaced and not self.text_replaced:
            return replace(self, text_replaced=True, message=self.message + REPLACED_NOTE).storable()
        return self.storable()


Handler = Callable[[Job], Outcome]


def _embedded(payload: str | None) -> str:
    if payload is None:
        return "null"
    try:
        json.loads(payload)
    except ValueError:
        return json.dumps(payload, ensure_ascii=False)  # sent as received: a truncated body is still evidence
    return payload


def simulated(job: Job) -> Outcome:
    """Deterministic: transient errors and records not in error succeed; data errors fail again the same way."""
    sent = job.body_text()
    if job.error_code and not job.transient:
        answer = {"outcome": "error", "error_code": job.error_code, "message": job.error_message}
        return Outcome("error", job.error_message or job.error_code, sent, json.dumps(answer, ensure_ascii=False),
                       error_code=job.error_code)
    storer_ref = job.storer_ref or f"F-{job.entity_id}"
    verb = "Updated" if job.storer_ref else "Created"
    answer = {"outcome": "success", "storer_ref": storer_ref}
    return Outcome("success", f"{verb} {storer_ref} in {job.storer} (simulated retry)", sent, json.dumps(answer),
                   storer_ref=storer_ref)


def target_url(url: str, job: Job) -> str:
    return url.replace("{integration_id}", str(job.integration_id)).replace("{storer}", quote(job.storer))


class _Watch:
    """One thread for every call's deadline (a timer thread per call costs more than a local call itself): at its
    deadline a call's socket is shut down, whatever phase the call is in."""

    def __init__(self):
        self._heap: list[tuple[float, int, _Deadline]] = []
        self._count = itertools.count()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, deadline: _Deadline) -> None:
        with self._ready:
            heapq.heappush(self._heap, (deadline.at, next(self._count), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="webhook-deadlines", daemon=True)
                self._thread.start()
            if self._heap[0][2] is deadline:
                self._ready.notify()

    def _loop(self) -> None:
        with self._ready:
            while True:
                while self._heap and self._heap[0][2].finished:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._ready.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._ready.wait(wait)
                    continue
                heapq.heappop(self._heap)[2].cut()


_WATCH = _Watch()


class _Deadline:
    """Shuts the connection's socket down when the deadline passes, whatever phase the call is in."""

    def __init__(self, conn: http.client.HTTPConnection, seconds: float):
        self.conn, self.passed, self.finished = conn, False, False
        self.at = time.monotonic() + seconds
        self._lock = threading.Lock()

    def cut(self) -> None:
        with self._lock:
            if self.finished:
                return
            self.passed = True
            sock = self.conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self):
        _WATCH.add(self)
        return self

    def __exit__(self, *exc):
        with self._lock:
            self.finished = True
        self.conn.close()


def webhook(job: Job, url: str, timeout: float = DEFAULT_WEBHOOK_TIMEOUT,
            max_answer: int = DEFAULT_MAX_ANSWER) -> Outcome:
    """POST the job to url within one deadline; 2xx JSON carries the outcome, 202 means accepted for later."""
    url = target_url(url, job)
    sent = job.body_text()
    headers = HEADERS | {"Idempotency-Key": str(job.request_id), "X-Entities-Attempt": str(job.attempt)}
    got = _post(url, sent, headers, timeout, max_answer)
    if isinstance(got, Outcome):
        return got
    return _answer(sent, got.status, got.reason, got.text, got.too_large, max_answer).storable_with(got.replaced)


@dataclass(frozen=True)
class _Reply:
    status: int
    reason: str
    text: str
    too_large: bool
    replaced: bool  # the answer's bytes were not valid UTF-8


def _post(url: str, sent: str, headers: dict, timeout: float, max_answer: int) -> Outcome | _Reply:
    """One POST within one deadline: the answer read up to max_answer, or the error outcome saying why not."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = kind(parts.hostname or "localhost", parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    received: list[bytes] = []
    status = reason = None
    started = time.monotonic()
    with _Deadline(conn, timeout) as deadline:
        try:
            conn.request("POST", path, body=sent.encode(), headers=headers)
            response = conn.getresponse()
            status, reason = response.status, response.reason
            too_large = _read(response, received, max_answer)
        except TimeoutError:
            return _timed_out(sent, url, timeout, received)
        except (http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionError) as exc:
            if isinstance(exc, http.client.IncompleteRead):
                received.append(exc.partial)
            if deadline.passed or time.monotonic() - started >= timeout:
                return _timed_out(sent, url, timeout, received)
            if isinstance(exc, ConnectionRefusedError):
                return Outcome("error", f"Webhook {url} unreachable: {exc}", sent, error_code="WEBHOOK_UNREACHABLE")
            return _closed(sent, url, status, received)
        except (OSError, http.client.HTTPException) as exc:
            if deadline.passed:
                return _timed_out(sent, url, timeout, received)
            return Outcome("error", f"Webhook {url} unreachable: {exc}", sent, error_code="WEBHOOK_UNREACHABLE")
        if deadline.passed:
            return _timed_out(sent, url, timeout, received)
        if not too_large and response.length:  # fewer bytes than its Content-Length, then the end
            return _closed(sent, url, status, received)
    text, replaced = decode(b"".join(received))
    return _Reply(status, reason, text, too_large, replaced)


# -- the batched webhook: K requests of one integration in one POST -------------------------------------------

BatchHandler = Callable[[list[Job]], list[Outcome]]


def batch_body(jobs: list[Job]) -> str:
    """{"requests": [...]} holding each job's body exactly as a single call sends it."""
    return '{"requests": [' + ", ".join(job.body_text() for job in jobs) + "]}"


def webhook_batch(jobs: list[Job], url: str, timeout: float = DEFAULT_WEBHOOK_TIMEOUT,
                  max_answer: int = DEFAULT_MAX_ANSWER) -> list[Outcome]:
    """POST jobs of one integration in one call; one outcome per job, in order. The answer's
    {"results": [{"request_id", "outcome", ...}]} is applied per request like a single answer; a failed call (or a
    202) applies to every request of the batch, and a request the answer leaves out is WEBHOOK_RESULT_MISSING."""
    url = target_url(url, jobs[0])
    sent = batch_body(jobs)
    headers = HEADERS | {"Idempotency-Keys": ",".join(str(job.request_id) for job in jobs),
                         "X-Entities-Batch": str(len(jobs))}
    got = _post(url, sent, headers, timeout, max_answer)
    note = f" (a batched call of {len(jobs)} requests)"
    if isinstance(got, Outcome):
        return [_for_each(got, job, note) for job in jobs]
    whole = got.too_large or got.status >= 400 or got.status == 202  # the same for every request, as a single call
    results = None if whole else _results(got.text)
    if results is None:
        outcome = _answer(sent, got.status, got.reason, got.text, got.too_large, max_answer) if whole else Outcome(
            "error", f'Webhook answered HTTP {got.status} without a JSON {{"results": [...]}}: {_excerpt(got.text)}',
            sent, got.text, error_code="WEBHOOK_BAD_RESPONSE")
        return [_for_each(outcome, job, note).storable_with(got.replaced) for job in jobs]
    return [_result_of(job, results, got, len(jobs)).storable_with(got.replaced) for job in jobs]


def _for_each(whole: Outcome, job: Job, note: str) -> Outcome:
    return replace(whole, request_payload=job.body_text(), message=whole.message + note)


def _results(text: str) -> dict[str, dict] | None:
    """The answer's results by request id (the first one for an id), or None when it is not that document."""
    try:
        answer = json.loads(text)
    except ValueError:
        return None
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list):
        return None
    found: dict[str, dict] = {}
    for result in results:
        if isinstance(result, dict) and result.get("request_id") is not None:
            found.setdefault(str(result["request_id"]), result)
    return found


def _result_of(job: Job, results: dict[str, dict], reply: _Reply, size: int) -> Outcome:
    sent = job.body_text()
    result = results.get(str(job.request_id))
    if result is None:
        return Outcome("error", f"The batched answer (HTTP {reply.status}, {len(results)} results for {size} "
                       f"requests) had no result for request_id {job.request_id}", sent, reply.text,
                       error_code="WEBHOOK_RESULT_MISSING")
    text = json.dumps(result, ensure_ascii=False)
    if result.get("outcome") == "pending":
        return Outcome("pending", "Accepted by the webhook (pending in its batched answer); the target finishes it "
                       f"later: {_excerpt(text)}", sent, text)
    return _outcome(result, sent, text, f"Webhook answered HTTP {reply.status} without a JSON outcome for this "
                    f"request in its batched answer: {_excerpt(text)}")


def _read(response: http.client.HTTPResponse, into: list[bytes], max_answer: int) -> bool:
    """Reads the answer into `into` up to max_answer bytes; True when there was more."""
    total = 0
    while total <= max_answer:
        chunk = response.read(min(65536, max_answer + 1 - total))
        if not chunk:
            return False
        into.append(chunk)
        total += len(chunk)
    joined = b"".join(into)
    into[:] = [joined[:KEPT_OF_TOO_LARGE]]
    return True


def _answer(sent: str, status: int, reason: str, text: str, too_large: bool, max_answer: int) -> Outcome:
    if too_large:
        return Outcome("error", f"Webhook answered HTTP {status} with more than {max_answer:,} bytes; the first "
                       f"{KEPT_OF_TOO_LARGE:,} are kept", sent, text, error_code="WEBHOOK_ANSWER_TOO_LARGE")
    if status >= 400:
        return Outcome("error", f"Webhook answered HTTP {status} {reason}: {_excerpt(text)}", sent, text,
                       error_code="UPSTREAM_5XX" if status >= 500 else "WEBHOOK_REJECTED")
    if status == 202:
        return Outcome("pending", f"Accepted by the webhook (HTTP 202); the target finishes it later: {_excerpt(text)}",
                       sent, text)
    try:
        answer = json.loads(text)
    except ValueError:
        answer = None
    return _outcome(answer, sent, text, f"Webhook answered HTTP {status} without a JSON outcome: {_excerpt(text)}")


def _outcome(answer, sent: str, text: str, bad: str) -> Outcome:
    """A JSON outcome document ({"outcome": "success" | "error", ...}) as an Outcome; `bad` when it is not one."""
    if not isinstance(answer, dict) or answer.get("outcome") not in ("success", "error"):
        return Outcome("error", bad, sent, text, error_code="WEBHOOK_BAD_RESPONSE")
    if answer["outcome"] == "success":
        return Outcome("success", str(answer.get("message") or "Retried through the webhook"), sent, text,
                       storer_ref=_text(answer.get("storer_ref")))
    return Outcome("error", str(answer.get("message") or "The webhook reported an error"), sent, text,
                   error_code=_text(answer.get("error_code")) or "WEBHOOK_ERROR")


def _timed_out(sent: str, url: str, timeout: float, received: list[bytes]) -> Outcome:
    got = b"".join(received)
    text, replaced = decode(got)
    return Outcome("error", f"Webhook {url} did not answer within {timeout:g} s (the deadline for connect, send and "
                   f"the whole answer); {len(got):,} bytes received", sent, text or None,
                   error_code="TIMEOUT").storable_with(replaced)


def _closed(sent: str, url: str, status: int | None, received: list[bytes]) -> Outcome:
    got = b"".join(received)
    text, replaced = decode(got)
    where = f"after HTTP {status}" if status else "before an HTTP status line"
    return Outcome("error", f"Webhook {url} closed the connection {where}, mid-answer; {len(got):,} bytes received",
                   sent, text or None, error_code="WEBHOOK_CONNECTION_CLOSED").storable_with(replaced)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= RESPONSE_EXCERPT else flat[:RESPONSE_EXCERPT] + "…"


def _text(value) -> str | None:
    return None if value is None else str(value)


def configured() -> tuple[str, Handler]:
    """The handler chosen by the environment, with its name (raises ValueError naming a bad setting)."""
    name = os.environ.get("ENTITIES_RETRY_HANDLER", "simulated").strip() or "simulated"
    if name == "simulated":
        return name, simulated
    if name == "webhook":
        url, timeout, max_answer = _webhook_settings()
        return name, lambda job: webhook(job, url, timeout, max_answer)
    raise ValueError(f"ENTITIES_RETRY_HANDLER={name!r} is not one of: simulated, webhook")


def configured_batch() -> BatchHandler | None:
    """The batched form of the configured handler (webhook only; the simulated one has no call to save)."""
    if os.environ.get("ENTITIES_RETRY_HANDLER", "simulated").strip() != "webhook":
        return None
    try:
        url, timeout, max_answer = _webhook_settings()
    except ValueError:
        return None  # the single handler reports the misconfiguration for every request
    return lambda jobs: webhook_batch(jobs, url, timeout, max_answer)


def _webhook_settings() -> tuple[str, float, int]:
    url = os.environ.get("ENTITIES_WEBHOOK_URL", "").strip()
    if not url:
        raise ValueError("ENTITIES_RETRY_HANDLER=webhook needs ENTITIES_WEBHOOK_URL (the URL to POST retries to)")
    timeout = _number("ENTITIES_WEBHOOK_TIMEOUT", DEFAULT_WEBHOOK_TIMEOUT, "a number of seconds")
    return url, timeout, int(_number("ENTITIES_WEBHOOK_MAX_ANSWER", DEFAULT_MAX_ANSWER, "a number of bytes"))


def deadline_seconds() -> float:
    """How long one handler call may take at most (the watchdog waits this long before reclaiming a request)."""
    try:
        return _number("ENTITIES_WEBHOOK_TIMEOUT", DEFAULT_WEBHOOK_TIMEOUT, "a number of seconds")
    except ValueError:
        return DEFAULT_WEBHOOK_TIMEOUT


def _number(variable: str, default: float, what: str) -> float:
    raw = os.environ.get(variable, "").strip() or str(default)
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{variable}={raw!r} is not {what}") from None
    if value <= 0:
        raise ValueError(f"{variable}={raw!r} must be more than 0")
    return value
