"""Bulk retry: a selection, the current list filter or an error group, with the same semantics as a single retry.

The ids come from one query (oldest first per integration, at most the cap) and go to retry.request in one call,
so queuing is set-based and atomic per record; progress is read back from retry_requests."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime

import queries
from entities.identity import Principal, require
from entities.sync import retry

CAP_VARIABLE = "ENTITIES_BULK_RETRY_CAP"
DEFAULT_CAP = 10_000


def cap() -> int:
    """The most records one bulk retry may queue: ENTITIES_BULK_RETRY_CAP, or 10,000 when unset or invalid."""
    try:
        value = int(os.environ.get(CAP_VARIABLE, DEFAULT_CAP))
    except ValueError:
        return DEFAULT_CAP
    return value if value > 0 else DEFAULT_CAP


@dataclass(frozen=True)
class Scope:
    """What a bulk retry applies to: explicit ids (a selection) or the entity_filter arguments (filter or group)."""
    subject: str  # starts the over-cap message: "This filter matches 12,400 records; …"
    ids: tuple[int, ...] | None = None
    filter_params: dict | None = None


@dataclass(frozen=True)
class Summary:
    matched: int
    already_open: int

    @property
    def to_queue(self) -> int:
        return self.matched - self.already_open


@dataclass
class Batch:
    """One submitted bulk retry, identified by its records, requester and the moment before it was requested."""
    ids: list[int]
    actor: str
    since: datetime
    queued: int
    already_open: int
    missing: int
    done: bool = field(default=False)


def selection(ids: list[int]) -> Scope:
    return Scope("The selection", ids=tuple(int(i) for i in ids))


def list_filter(filter_params: dict) -> Scope:
    return Scope("This filter", filter_params=dict(filter_params))


def error_group(integration: int, type_: str, group: str) -> Scope:
    return Scope("This error group", filter_params={
        "integration": int(integration), "type": type_, "statuses": ["error"], "q": None,
        "updated_from": None, "updated_to": None, "error_group": group})


def _filter_args(params: dict) -> dict:
    keys = ("integration", "type", "q", "updated_from", "updated_to", "error_group", "gave_up")
    return {key: params.get(key) for key in keys} | {"statuses": list(params.get("statuses") or [])}


def summary(con, scope: Scope) -> Summary:
    if scope.ids is not None:
        row = queries.one(con, "bulk_selection_summary", ids=list(scope.ids))
    else:
        row = queries.one(con, "bulk_filter_summary", **_filter_args(scope.filter_params))
    return Summary(matched=int(row[0]), already_open=int(row[1]))


def ids(con, scope: Scope, limit: int) -> list[int]:
    """The records to queue, oldest first per integration, at most `limit`: one query, no loop per record."""
    if scope.ids is not None:
        found = queries.rows(con, "bulk_selection_ids", ids=list(scope.ids), cap=limit)
    else:
        found = queries.rows(con, "bulk_filter_ids", cap=limit, **_filter_args(scope.filter_params))
    return [row[0] for row in found]


def over_cap_message(scope: Scope, matched: int, limit: int) -> str | None:
    if matched <= limit:
        return None
    return (f"{scope.subject} matches {matched:,} records; the cap is {limit:,}. "
            f"Narrow the filter or raise {CAP_VARIABLE}.")


def confirmation_text(found: Summary) -> str:
    noun = "record" if found.matched == 1 else "records"
    text = f"Retry {found.matched:,} {noun}?"
    if found.already_open:
        verb = "has" if found.already_open == 1 else "have"
        text += f" {found.already_open:,} already {verb} a retry queued and will be skipped."
    return text


def submit(con, scope: Scope, principal: Principal, limit: int | None = None) -> Batch:
    """Queue retries for the scope's records (re-read now, so the count is current) in one retry.request call.
    Raises identity.Forbidden before reading anything unless the principal may retry."""
    require(principal, "retry")
    since = datetime.now(UTC)
    wanted = ids(con, scope, limit or cap())
    result = retry.request(con, wanted, principal)
    return Batch(ids=list(result.queued), actor=principal.name, since=since, queued=len(result.queued),
                 already_open=len(result.already_open), missing=len(result.missing))


def progress(con, batch: Batch) -> dict:
    """requests, finished, succeeded and failed of the batch's requests so far."""
    if not batch.ids:
        return {"requests": 0, "finished": 0, "succeeded": 0, "failed": 0}
    return queries.records(con, "bulk_progress", ids=batch.ids, requested_by=batch.actor, since=batch.since)[0]


def pace_text(finished: int, requests: int, since: datetime, now: datetime | None = None) -> str:
    """Throughput so far and the time left at that pace, e.g. '38.2 retries/s · about 2 min left'."""
    elapsed = ((now or datetime.now(UTC)) - since).total_seconds()
    if finished <= 0 or elapsed <= 0:
        return "starting…"
    rate = finished / elapsed
    left = (requests - finished) / rate
    if finished >= requests:
        return f"{rate:,.1f} retries/s"
    when = f"{left:.0f} s" if left < 90 else f"{left / 60:.0f} min"
    return f"{rate:,.1f} retries/s · about {when} left"


def result_text(batch: Batch) -> str:
    parts = [f"Queued {batch.queued:,} {'retry' if batch.queued == 1 else 'retries'}"]
    if batch.already_open:
        parts.append(f"{batch.already_open:,} skipped (a retry was already queued)")
    if batch.missing:
        parts.append(f"{batch.missing:,} no longer exist")
    return "; ".join(parts) + "."
