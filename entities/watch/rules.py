"""Alert rules and notification channels: validation, and the changes people make on /alerts, each audited.

Every change takes the acting Principal, requires the "alerts" action and writes its audit row in the same
db.write() transaction. Bad input raises RuleError with a message a person can act on; nothing is stored then.
"""
from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime

import queries
from entities import audit, db
from entities.identity import Principal, require
from entities.model import ALERT_KIND, CHANNEL_KINDS, TYPE, WEBHOOK_FORMATS

WINDOW_MINUTES = (1, 7 * 24 * 60)
AGE_MINUTES = (1, 30 * 24 * 60)
PENDING_SECONDS = (0, 24 * 3600)
MAX_VOLUME = 1_000_000_000
MAX_THRESHOLD = 1e12
DEFAULTS = {"window_minutes": 60, "min_volume": 0, "age_minutes": 30}
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


class RuleError(ValueError):
    """A rule or channel that cannot be stored as given; the message says which field and why."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value, field: str, low: float = 0, high: float = MAX_THRESHOLD) -> float:
    if _blank(value):
        raise RuleError(f"{field} is required.")
    try:
        number = float(value.strip().replace(",", ".") if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise RuleError(f"{field} {str(value)[:40]!r} is not a number.") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise RuleError(f"{field} {str(value)[:40]!r} is not a number.")
    if not low <= number <= high:
        raise RuleError(f"{field} {number:g} is out of range: it must be between {low:g} and {high:g}.")
    return number


def _whole(value, field: str, low: int, high: int, unit: str) -> int:
    number = _number(value, field, low, high)
    if number != int(number):
        raise RuleError(f"{field} {number:g} must be a whole number of {unit}.")
    return int(number)


def clean_rule(con, fields: dict) -> dict:
    """The rule's stored values from what a person typed: numbers parsed, scope checked, unused settings null."""
    name = str(fields.get("name") or "").strip()
    if not name:
        raise RuleError("Name is required.")
    if len(name) > 200:
        raise RuleError("Name is too long (200 characters at most).")
    kind = ALERT_KIND.get(str(fields.get("kind") or ""))
    if kind is None:
        raise RuleError(f"Kind {fields.get('kind')!r} is unknown; choose one of {', '.join(ALERT_KIND)}.")
    threshold = _number(fields.get("threshold"), "Threshold")
    recovery = fields.get("recovery_threshold")
    recovery = threshold if _blank(recovery) else _number(recovery, "Recovery threshold")
    if recovery > threshold:
        raise RuleError(f"Recovery threshold {recovery:g} must be at or below the threshold {threshold:g}: a firing "
                        "rule resolves when its value falls below the recovery threshold.")
    clean = {
        "rule_name": name, "kind": kind.key, "threshold": threshold, "recovery_threshold": recovery,
        "pending_seconds": _whole(fields.get("pending_seconds") or 0, "Pending period", *PENDING_SECONDS,
                                  "seconds"),
        "integration_id": _integration(con, fields.get("integration_id")),
        "type": _type(fields.get("type")),
        "error_group": None, "window_minutes": None, "min_volume": None, "age_minutes": None,
    }
    if "window" in kind.uses:
        raw = fields.get("window_minutes")
        clean["window_minutes"] = _whole(DEFAULTS["window_minutes"] if _blank(raw) else raw, "Window",
                                         *WINDOW_MINUTES, "minutes")
    if "min_volume" in kind.uses:
        raw = fields.get("min_volume")
        clean["min_volume"] = _whole(DEFAULTS["min_volume"] if _blank(raw) else raw, "Minimum volume", 0,
                                     MAX_VOLUME, "transactions")
    if "age" in kind.uses:
        raw = fields.get("age_minutes")
        clean["age_minutes"] = _whole(DEFAULTS["age_minutes"] if _blank(raw) else raw, "Age", *AGE_MINUTES,
                                      "minutes")
    if "group" in kind.uses and not _blank(fields.get("error_group")):
        clean["error_group"] = str(fields["error_group"]).strip()[:1000]
    return clean


def _integration(con, value) -> int | None:
    if _blank(value):
        return None
    try:
        integration_id = int(str(value).strip())
    except ValueError:
        raise RuleError(f"Integration {str(value)[:40]!r} is not an integration id.") from None
    known = {int(row["id"]) for row in queries.records(con, "integrations_list")}
    if integration_id not in known:
        raise RuleError(f"Integration {integration_id} does not exist.")
    return integration_id


def _type(value) -> str | None:
    if _blank(value):
        return None
    if value not in TYPE:
        raise RuleError(f"Type {str(value)[:40]!r} is unknown; choose one of {', '.join(TYPE)}.")
    return value


def _channel_ids(con, value) -> list[int]:
    ids = sorted({int(v) for v in value or ()})
    known = {int(row["id"]) for row in queries.records(con, "alert_channels_list")}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise RuleError(f"Channel {', '.join(map(str, unknown))} does not exist.")
    return ids


def _check_name(con, name: str, rule_id: int = 0) -> None:
    if queries.scalar(con, "alert_rule_name_taken", rule_name=name, id=rule_id):
        raise RuleError(f"A rule named {name!r} already exists; choose another name.")


def _detail(clean: dict, channel_ids: list[int]) -> str:
    shown = {("name" if k == "rule_name" else k): v for k, v in clean.items() if v is not None}
    return json.dumps({**shown, "channels": channel_ids}, ensure_ascii=False, sort_keys=True)


def _target(rule_id: int, name: str) -> str:
    return f"alert rule {rule_id} ({name})"


def _rule(con, rule_id: int) -> dict:
    for row in queries.records(con, "alert_rules_list"):
        if row["id"] == rule_id:
            return row
    raise RuleError(f"Alert rule {rule_id} does not exist (it may have been deleted).")


def create_rule(con, principal: Principal, fields: dict, now: datetime | None = None) -> int:
    """Stores a new enabled rule with its channels (fields["channel_ids"]); returns its id."""
    require(principal, "alerts")
    clean = clean_rule(con, fields)
    channel_ids = _channel_ids(con, fields.get("channel_ids"))
    with db.write(con):
        _check_name(con, clean["rule_name"])
        rule_id = queries.scalar(con, "alert_rule_insert", now=_now(now), **clean)
        if channel_ids:
            queries.run(con, "alert_rule_channels_insert", rule_id=rule_id, channel_ids=channel_ids)
        audit.record(con, principal, "alert_rule.create", _target(rule_id, clean["rule_name"]),
                     _detail(clean, channel_ids))
    return rule_id


def update_rule(con, principal: Principal, rule_id: int, fields: dict, now: datetime | None = None) -> None:
    """Changes a rule's settings and channels; its state carries on (the next evaluation uses the new settings)."""
    require(principal, "alerts")
    clean = clean_rule(con, fields)
    channel_ids = _channel_ids(con, fields.get("channel_ids"))
    with db.write(con):
        _rule(con, rule_id)
        _check_name(con, clean["rule_name"], rule_id)
        queries.run(con, "alert_rule_update", id=rule_id, now=_now(now), **clean)
        queries.run(con, "alert_rule_channels_clear", rule_id=rule_id)
        if channel_ids:
            queries.run(con, "alert_rule_channels_insert", rule_id=rule_id, channel_ids=channel_ids)
        audit.record(con, principal, "alert_rule.update", _target(rule_id, clean["rule_name"]),
                     _detail(clean, channel_ids))


def set_enabled(con, principal: Principal, rule_id: int, enabled: bool, now: datetime | None = None) -> None:
    """Disabling forgets the rule's state: it is not evaluated, and starts from ok when enabled again."""
    require(principal, "alerts")
    with db.write(con):
        rule = _rule(con, rule_id)
        queries.run(con, "alert_rule_set_enabled", id=rule_id, enabled=bool(enabled), now=_now(now))
        if not enabled:
            queries.run(con, "alert_state_reset", rule_id=rule_id)
        audit.record(con, principal, "alert_rule.enable" if enabled else "alert_rule.disable",
                     _target(rule_id, rule["name"]))


def snooze(con, principal: Principal, rule_id: int, until: datetime | None, now: datetime | None = None) -> None:
    """No notifications from this rule before `until` (None ends a snooze); it is still evaluated meanwhile."""
    require(principal, "alerts")
    now = _now(now)
    if until is not None and until <= now:
        raise RuleError("Snooze until must be in the future.")
    with db.write(con):
        rule = _rule(con, rule_id)
        queries.run(con, "alert_rule_snooze", id=rule_id, until=until, now=now)
        audit.record(con, principal, "alert_rule.snooze" if until else "alert_rule.unsnooze",
                     _target(rule_id, rule["name"]), until.astimezone(UTC).isoformat() if until else None)


def delete_rule(con, principal: Principal, rule_id: int) -> None:
    """Deletes the rule, its state and channel links; its events stay in the history."""
    require(principal, "alerts")
    with db.write(con):
        rule = _rule(con, rule_id)
        queries.run(con, "alert_rule_channels_clear", rule_id=rule_id)
        queries.run(con, "alert_state_reset", rule_id=rule_id)
        queries.run(con, "alert_rule_delete", id=rule_id)
        audit.record(con, principal, "alert_rule.delete", _target(rule_id, rule["name"]))


def clean_channel(con, fields: dict) -> dict:
    name = str(fields.get("name") or "").strip()
    if not name:
        raise RuleError("Channel name is required.")
    if len(name) > 200:
        raise RuleError("Channel name is too long (200 characters at most).")
    kind = fields.get("kind")
    if kind not in CHANNEL_KINDS:
        raise RuleError(f"Channel kind {kind!r} is unknown; choose one of {', '.join(CHANNEL_KINDS)}.")
    clean = {"channel_name": name, "kind": kind, "url": None, "secret": None, "body_format": "json",
             "recipients": None}
    if kind == "webhook":
        url = str(fields.get("url") or "").strip()
        if not re.match(r"^https?://[^\s/]+", url):
            raise RuleError(f"Webhook URL {url[:80]!r} must start with http:// or https:// and name a host.")
        secret = str(fields.get("secret") or "")
        if len(secret) < 8:
            raise RuleError("Webhook secret must have at least 8 characters: receivers verify the signature "
                            "with it.")
        body_format = fields.get("body_format") or "json"
        if body_format not in WEBHOOK_FORMATS:
            raise RuleError(f"Body format {body_format!r} is unknown; choose one of {', '.join(WEBHOOK_FORMATS)}.")
        clean.update(url=url, secret=secret, body_format=body_format)
    else:
        recipients = [r.strip() for r in re.split(r"[,;\s]+", str(fields.get("recipients") or "")) if r.strip()]
        if not recipients:
            raise RuleError("Email channel needs at least one recipient address.")
        bad = [r for r in recipients if not _EMAIL.match(r)]
        if bad:
            raise RuleError(f"{bad[0][:80]!r} is not an email address.")
        clean["recipients"] = ", ".join(recipients)
    return clean


def create_channel(con, principal: Principal, fields: dict, now: datetime | None = None) -> int:
    require(principal, "alerts")
    clean = clean_channel(con, fields)
    with db.write(con):
        if queries.scalar(con, "alert_channel_name_taken", channel_name=clean["channel_name"]):
            raise RuleError(f"A channel named {clean['channel_name']!r} already exists; choose another name.")
        channel_id = queries.scalar(con, "alert_channel_insert", now=_now(now), **clean)
        shown = {k: v for k, v in clean.items() if k != "secret" and v is not None}
        audit.record(con, principal, "alert_channel.create", f"alert channel {channel_id} ({clean['channel_name']})",
                     json.dumps(shown, ensure_ascii=False, sort_keys=True))
    return channel_id


def delete_channel(con, principal: Principal, channel_id: int) -> None:
    """Removes the channel from its rules; its queued deliveries are given up, saying why."""
    require(principal, "alerts")
    with db.write(con):
        name = next((row["name"] for row in queries.records(con, "alert_channels_list") if row["id"] == channel_id),
                    None)
        if name is None:
            raise RuleError(f"Channel {channel_id} does not exist (it may have been deleted).")
        queries.run(con, "alert_channel_unlink", channel_id=channel_id)
        queries.run(con, "alert_deliveries_abandon_channel", channel_id=channel_id)
        queries.run(con, "alert_channel_delete", id=channel_id)
        audit.record(con, principal, "alert_channel.delete", f"alert channel {channel_id} ({name})")
