"""Retry handlers: given one queued retry (a Job), re-sync the record and say what happened (an Outcome).

Configuration (environment):
- ENTITIES_RETRY_HANDLER: `simulated` (default) or `webhook`.
- ENTITIES_WEBHOOK_URL: where `webhook` POSTs the job as JSON.
- ENTITIES_WEBHOOK_TIMEOUT: seconds to wait for the webhook (default 10).

A handler never raises for an unreachable or misbehaving target: that is an `error` outcome with the reason.
"""
from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass

DEFAULT_WEBHOOK_TIMEOUT = 10.0
RESPONSE_EXCERPT = 300


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
    last_request_payload: str | None

    def body(self) -> dict:
        """The JSON document a handler sends: the record's identity plus its last request payload."""
        return {
            "request_id": self.request_id, "entity_id": self.entity_id, "integration_id": self.integration_id,
            "type": self.type, "retriever_ref": self.retriever_ref, "storer_ref": self.storer_ref,
            "actor": self.actor, "payload": _parsed(self.last_request_payload),
        }


@dataclass(frozen=True)
class Outcome:
    outcome: str  # success | error | pending
    message: str
    request_payload: str
    response_payload: str | None = None
    storer_ref: str | None = None
    error_code: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


Handler = Callable[[Job], Outcome]


def _parsed(payload: str | None):
    if payload is None:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return payload  # sent as received: a truncated body is still evidence


def simulated(job: Job) -> Outcome:
    """Deterministic: transient errors and records not in error succeed; data errors fail again the same way."""
    sent = json.dumps(job.body(), ensure_ascii=False)
    if job.error_code and not job.transient:
        answer = {"outcome": "error", "error_code": job.error_code, "message": job.error_message}
        return Outcome("error", job.error_message or job.error_code, sent, json.dumps(answer, ensure_ascii=False),
                       error_code=job.error_code)
    storer_ref = job.storer_ref or f"F-{job.entity_id}"
    verb = "Updated" if job.storer_ref else "Created"
    answer = {"outcome": "success", "storer_ref": storer_ref}
    return Outcome("success", f"{verb} {storer_ref} in {job.storer} (simulated retry)", sent, json.dumps(answer),
                   storer_ref=storer_ref)


def webhook(job: Job, url: str, timeout: float = DEFAULT_WEBHOOK_TIMEOUT) -> Outcome:
    """POST the job to url; 2xx JSON carries the outcome, 202 means accepted for later, anything else is an error."""
    sent = json.dumps(job.body(), ensure_ascii=False)
    request = urllib.request.Request(url, data=sent.encode(), method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "junipeer-entities"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, text = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        text = exc.read().decode("utf-8", "replace")
        return Outcome("error", f"Webhook answered HTTP {exc.code} {exc.reason}: {_excerpt(text)}", sent, text,
                       error_code="UPSTREAM_5XX" if exc.code >= 500 else "WEBHOOK_REJECTED")
    except TimeoutError:
        return _timed_out(sent, url, timeout)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            return _timed_out(sent, url, timeout)
        return Outcome("error", f"Webhook {url} unreachable: {exc.reason}", sent, error_code="WEBHOOK_UNREACHABLE")
    except OSError as exc:
        return Outcome("error", f"Webhook {url} failed: {exc}", sent, error_code="WEBHOOK_UNREACHABLE")
    if status == 202:
        return Outcome("pending", f"Accepted by the webhook (HTTP 202); the target finishes it later: {_excerpt(text)}",
                       sent, text)
    try:
        answer = json.loads(text)
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or answer.get("outcome") not in ("success", "error"):
        return Outcome("error", f"Webhook answered HTTP {status} without a JSON outcome: {_excerpt(text)}", sent, text,
                       error_code="WEBHOOK_BAD_RESPONSE")
    if answer["outcome"] == "success":
        return Outcome("success", str(answer.get("message") or "Retried through the webhook"), sent, text,
                       storer_ref=_text(answer.get("storer_ref")))
    return Outcome("error", str(answer.get("message") or "The webhook reported an error"), sent, text,
                   error_code=_text(answer.get("error_code")) or "WEBHOOK_ERROR")


def _timed_out(sent: str, url: str, timeout: float) -> Outcome:
    return Outcome("error", f"Webhook {url} did not answer within {timeout:g} s", sent, error_code="TIMEOUT")


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
        url = os.environ.get("ENTITIES_WEBHOOK_URL", "").strip()
        if not url:
            raise ValueError("ENTITIES_RETRY_HANDLER=webhook needs ENTITIES_WEBHOOK_URL (the URL to POST retries to)")
        raw = os.environ.get("ENTITIES_WEBHOOK_TIMEOUT", str(DEFAULT_WEBHOOK_TIMEOUT))
        try:
            timeout = float(raw)
        except ValueError:
            raise ValueError(f"ENTITIES_WEBHOOK_TIMEOUT={raw!r} is not a number of seconds") from None
        return name, lambda job: webhook(job, url, timeout)
    raise ValueError(f"ENTITIES_RETRY_HANDLER={name!r} is not one of: simulated, webhook")
