"""Notification channels: sends queued alert deliveries by webhook or email, retrying failures with backoff.

Webhook: a JSON POST of the event; X-Junipeer-Signature is "sha256=" + hex(HMAC-SHA256(channel secret, raw body)),
so a receiver verifies the body came from us unchanged. body_format "slack" posts {"text": …} for Slack-style
incoming webhooks (same signature). Email: smtplib with ENTITIES_SMTP_* settings (see README).
A delivery is tried at most MAX_ATTEMPTS times, BACKOFF_SECONDS × 2^(attempt-1) apart, then marked failed.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import smtplib
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import queries
from entities import db
from entities.model import ALERT_KIND

log = logging.getLogger("entities.alerts")
SIGNATURE_HEADER = "X-Junipeer-Signature"
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 30
TIMEOUT_SECONDS = 10
BATCH = 50


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (documented in the README): recompute and compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header or "")


def _number(value) -> str:
    return "no data" if value is None else f"{value:g}"


def summary(d: dict) -> str:
    """One line a person reads first: FIRING/RESOLVED, rule, value against threshold, scope."""
    unit = ALERT_KIND[d["rule_kind"]].value if d.get("rule_kind") in ALERT_KIND else ""
    if d["event"] == "fired":
        head, compare = "FIRING", f"{_number(d['value'])} ≥ {_number(d['threshold'])}"
    else:
        head, compare = "RESOLVED", f"{_number(d['value'])} < {_number(d['threshold'])}"
    return f"[{head}] {d['rule_name']}: {compare} {unit} · {d['scope']}".replace("  ", " ")


def payload(d: dict) -> dict:
    at = d["occurred_at"].astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"event": d["event"], "rule": {"id": d["rule_id"], "name": d["rule_name"], "kind": d["rule_kind"]},
            "value": d["value"], "threshold": d["threshold"], "scope": d["scope"], "at": at, "link": d["link"],
            "text": summary(d), "event_id": d["event_id"], "delivery_id": d["id"]}


def webhook_body(d: dict) -> bytes:
    body = {"text": f"{summary(d)}\n{d['link']}"} if d["body_format"] == "slack" else payload(d)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def send_webhook(d: dict) -> None:
    body = webhook_body(d)
    request = urllib.request.Request(d["url"], data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "junipeer-entities-alerts",
        SIGNATURE_HEADER: sign(d["secret"] or "", body), "X-Junipeer-Event": d["event"],
        "X-Junipeer-Delivery": str(d["id"])})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(1024)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"{type(reason).__name__}: {reason}") from None


def smtp_settings() -> dict:
    env = os.environ.get
    return {"host": env("ENTITIES_SMTP_HOST", "").strip(), "port": int(env("ENTITIES_SMTP_PORT") or 587),
            "starttls": env("ENTITIES_SMTP_STARTTLS", "on").strip().lower() not in ("off", "0", "false", "no"),
            "user": env("ENTITIES_SMTP_USER", ""), "password": env("ENTITIES_SMTP_PASSWORD", ""),
            "sender": env("ENTITIES_SMTP_FROM") or "junipeer-alerts@localhost"}


def email_message(d: dict, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = summary(d)
    message["From"] = sender
    message["To"] = d["recipients"]
    message["X-Junipeer-Delivery"] = str(d["id"])
    body = payload(d)
    message.set_content(
        f"{summary(d)}\n\nRule: {d['rule_name']}\nEvent: {d['event']}\nValue: {_number(d['value'])}\n"
        f"Threshold: {_number(d['threshold'])}\nScope: {d['scope']}\nAt: {body['at']}\n\nOpen: {d['link']}\n")
    return message


def send_email(d: dict) -> None:
    settings = smtp_settings()
    if not settings["host"]:
        raise DeliveryError("email is not configured: set ENTITIES_SMTP_HOST (and ENTITIES_SMTP_PORT, ...)")
    try:
        with smtplib.SMTP(settings["host"], settings["port"], timeout=TIMEOUT_SECONDS) as smtp:
            if settings["starttls"]:
                smtp.starttls()
            if settings["user"]:
                smtp.login(settings["user"], settings["password"])
            smtp.send_message(email_message(d, settings["sender"]))
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None


class DeliveryError(Exception):
    """Why one delivery attempt failed, as recorded in alert_deliveries.last_error."""


SENDERS = {"webhook": send_webhook, "email": send_email}


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS * 2 ** (attempt - 1))


def deliver_due(con, now: datetime | None = None) -> dict[str, int]:
    """Send every delivery due at `now`; record each result in its own short write. Returns counts by status."""
    now = now or datetime.now(UTC)
    counts = {"sent": 0, "queued": 0, "failed": 0}
    for d in queries.records(con, "alert_deliveries_due", now=now, limit=BATCH):
        attempt = d["attempts"] + 1
        try:
            SENDERS[d["kind"]](d)
            status, next_at, error = "sent", None, None
        except DeliveryError as exc:
            error = str(exc)[:500]
            status = "failed" if attempt >= MAX_ATTEMPTS else "queued"
            next_at = None if status == "failed" else now + backoff(attempt)
            log.warning("alert delivery %s to %s (%s) attempt %d failed: %s%s", d["id"], d["channel_name"],
                        d["kind"], attempt, error, "; giving up" if status == "failed" else f"; next at {next_at}")
        with db.write(con, bump=False):
            queries.run(con, "alert_delivery_record", id=d["id"], status=status, now=now, next_attempt_at=next_at,
                        error=error)
        counts[status] += 1
    return counts
