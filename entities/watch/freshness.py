"""Flow freshness: when each flow last synced successfully, and whether that is too long ago.

A flow is stale when it is enabled and has had no successful sync for longer than its threshold. The threshold
is the operator's override (flow_settings), else twice the flow's usual interval between successful syncs over
the last 7 days (median gap), at least MIN_THRESHOLD_MINUTES. The SQL is queries/flow_freshness.sql.
"""
from __future__ import annotations

from datetime import UTC, datetime

import queries
from entities import audit, db, identity
from entities.identity import Principal
from entities.model import TYPE

MIN_THRESHOLD_MINUTES = 15
MAX_THRESHOLD_MINUTES = 365 * 24 * 60
BASIS_LABELS = {"override": "set by an operator", "history": "2 × usual interval", "minimum": "15-minute minimum"}


class FreshnessError(ValueError):
    """A threshold that cannot be set; the message says why."""


def flows(con, integration: int | None = None, now: datetime | None = None) -> list[dict]:
    """Every flow with last_success_at, usual_gap_minutes, threshold_minutes, basis and stale; stale ones first."""
    return queries.records(con, "flow_freshness", integration=integration, now=now or datetime.now(UTC))


def stale(con, integration: int | None = None, now: datetime | None = None) -> list[dict]:
    return [f for f in flows(con, integration, now) if f["stale"]]


def still_stale(flow: dict, last_success_at: datetime | None, now: datetime) -> bool:
    """flow_freshness.sql's stale rule for a flow row computed earlier, given a later last success: enabled and no
    success within its threshold at `now`. The alert evaluator uses it between refreshes of the 7-day history."""
    last = max((t for t in (flow["last_success_at"], last_success_at) if t is not None), default=None)
    return bool(flow["enabled"]) and (last is None or (now - last).total_seconds() > 60 * flow["threshold_minutes"])


def parse_minutes(value: object) -> int:
    """A threshold typed by a person: whole minutes, 1 minute to a year."""
    try:
        minutes = int(str(value).strip())
    except ValueError:
        raise FreshnessError(f"{value!r} is not a whole number of minutes.") from None
    if not 1 <= minutes <= MAX_THRESHOLD_MINUTES:
        raise FreshnessError(f"A threshold is 1 to {MAX_THRESHOLD_MINUTES:,} minutes (a year), not {minutes:,}.")
    return minutes


def set_threshold(con, principal: Principal, integration: int, type_: str, minutes: object | None) -> None:
    """Override a flow's stale-after threshold (None: back to the default from its history); audited."""
    identity.require(principal, "alerts")
    if type_ not in TYPE:
        raise FreshnessError(f"{type_!r} is not an entity type.")
    value = None if minutes is None else parse_minutes(minutes)
    with db.write(con):
        flow = queries.records(con, "flow_exists", integration=int(integration), type=type_)
        if not flow:
            raise FreshnessError(f"Integration {integration} has no {TYPE[type_].singular.lower()} flow.")
        before = flow[0]["stale_after_minutes"]
        if before == value:
            raise db.Unchanged
        if value is None:
            queries.run(con, "flow_setting_delete", integration=int(integration), type=type_)
        else:
            queries.run(con, "flow_setting_upsert", integration=int(integration), type=type_, minutes=value,
                        actor=principal.name)
        was = f"{before:,} min" if before is not None else "the default"
        now = f"{value:,} min" if value is not None else "the default (2 × usual interval, at least 15 min)"
        audit.record(con, principal, "flow.threshold", f"flow {integration}/{type_}",
                     f"stale after {now} (was {was})")
