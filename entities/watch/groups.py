"""The error-group lifecycle: open, resolved, ignored, regressed; assignment and notes.

A group is (integration, type, error code, normalised message). People change a group's state through the
functions here (each takes a Principal, needs the "groups" action and is audited in the same transaction);
the data changes some states by itself (auto-resolve, regression, ignore expiry): sync() computes those
set-based in SQL and audits them as the POLICY principal. sync_if_changed() is cheap when nothing was written.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import queries
from entities import audit, db, identity
from entities.identity import Principal

STATES = ("open", "regressed", "ignored", "resolved")
ACTIVE_STATES = ("open", "regressed")
STATE_LABELS = {"open": "Open", "regressed": "Regressed", "ignored": "Ignored", "resolved": "Resolved"}
STATE_COLORS = {"open": "#d64545", "regressed": "#9b2c2c", "ignored": "#718096", "resolved": "#1f9d55"}
POLICY = Principal("policy:group-lifecycle", kind="policy", role="operator")
MAX_IGNORE_MINUTES = 365 * 24 * 60
MAX_IGNORE_COUNT = 1_000_000
MAX_ASSIGNEE = 200
MAX_NOTE = 5_000
RECHECK_SECONDS = 60.0  # ignore periods end by time, not by a write


class GroupError(ValueError):
    """A lifecycle change that cannot be made; the message says why."""


@dataclass(frozen=True)
class SyncResult:
    changed_groups: int
    transitions: list[tuple[int, str]]  # (group id, new state)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def sync(con, now: datetime | None = None) -> SyncResult:
    """Refresh group counts from the records in error and apply the due policy transitions, in one transaction.
    Writes nothing (and leaves the data version alone) when nothing changed.

    The records in error are read first, outside the write lock (at 1M records that read takes most of the sync's
    time, and ingest would wait for it): the lock is held only to apply the result. A record written meanwhile
    counts from the next sync, which the moved data version brings."""
    now = _now(now)
    result = SyncResult(0, [])
    queries.run(con, "error_messages_snapshot")
    with db.write(con):
        memoised = queries.rows(con, "error_fingerprints_fill")
        changed = queries.rows(con, "error_group_refresh", now=now)
        queries.rows(con, "error_group_transitions_audit", now=now, actor=POLICY.name, actor_subject=POLICY.subject,
                     actor_kind=POLICY.kind)
        moved = queries.rows(con, "error_group_transitions_apply", now=now, actor=POLICY.name)
        result = SyncResult(len(changed), [(int(i), state) for i, state in moved])
        if not changed and not moved and not memoised:
            raise db.Unchanged
    return result


_seen: dict[str, tuple[int, float]] = {}  # database key -> (data version evaluated, monotonic time)
_took: dict[str, float] = {}  # database key -> seconds the last sync held the write lock
_sync_lock = threading.Lock()
WRITE_LOCK_SHARE = 0.1  # a sync waits 1/share times its own duration after the last: at most ~10% of its time


def sync_if_changed(con, key: str, now: datetime | None = None) -> SyncResult | None:
    """sync() when the data version moved since the last evaluation of this database (or a minute passed), and
    not sooner after the last sync than its duration / WRITE_LOCK_SHARE: at 1M records a sync takes a few hundred
    ms (most of it before the write lock, but on the same cores as ingest), and a steady ingest or retry stream
    moves the version every second."""
    version = db.data_version()
    if not _due(key, version):
        return None
    with _sync_lock:
        if not _due(key, version):
            return None
        started = time.monotonic()
        result = sync(con, now)
        _took[key] = time.monotonic() - started
        _seen[key] = (version, time.monotonic())  # our own write moved it on: the next call re-checks once
        return result


def _due(key: str, version: int) -> bool:
    seen = _seen.get(key)
    if seen is None:
        return True
    since = time.monotonic() - seen[1]
    if seen[0] == version:
        return since >= RECHECK_SECONDS
    return since >= _took.get(key, 0.0) / WRITE_LOCK_SHARE - _took.get(key, 0.0)


def _group(con, group_id: int) -> dict:
    found = queries.records(con, "error_group_state", group_id=int(group_id))
    if not found:
        raise GroupError(f"There is no error group {group_id}.")
    return found[0]


def _describe(group: dict) -> str:
    return f"{group['error_code'] or 'no code'} · {group['fingerprint']}"


def _set_state(con, principal: Principal, group_id: int, state: str, action: str, allowed_from: tuple[str, ...],
               detail: str, now: datetime | None, ignore_minutes: int | None = None,
               ignore_count: int | None = None) -> dict:
    identity.require(principal, "groups")
    now = _now(now)
    with db.write(con):
        group = _group(con, group_id)
        if group["state"] not in allowed_from:
            raise GroupError(f"Error group {group_id} is {group['state']}; it cannot be {action} from that state.")
        queries.run(con, "error_group_set_state", group_id=int(group_id), state=state, now=now, actor=principal.name,
                    ignore_minutes=ignore_minutes, ignore_count=ignore_count)
        audit.record(con, principal, f"group.{action}", f"error group {group_id}",
                     f"{detail} (was {group['state']}) · {_describe(group)}")
    return group


def resolve(con, principal: Principal, group_id: int, now: datetime | None = None) -> None:
    """Mark a group resolved by hand; a record failing after this makes it regressed."""
    _set_state(con, principal, group_id, "resolved", "resolved", ("open", "regressed", "ignored"),
               "resolved by hand", now)


def reopen(con, principal: Principal, group_id: int, now: datetime | None = None) -> None:
    """Back to open: undo a resolve or stop ignoring."""
    _set_state(con, principal, group_id, "open", "reopened", ("resolved", "ignored", "regressed"),
               "reopened by hand", now)


def ignore(con, principal: Principal, group_id: int, *, minutes: int | None = None, occurrences: int | None = None,
           now: datetime | None = None) -> None:
    """Ignore a group for a number of minutes, or until `occurrences` more errors of it happen."""
    if (minutes is None) == (occurrences is None):
        raise GroupError("Ignore a group either for a number of minutes or until a number of new errors.")
    if minutes is not None and not (isinstance(minutes, int) and 1 <= minutes <= MAX_IGNORE_MINUTES):
        raise GroupError(f"Ignore for 1 to {MAX_IGNORE_MINUTES:,} minutes (a year), not {minutes!r}.")
    if occurrences is not None and not (isinstance(occurrences, int) and 1 <= occurrences <= MAX_IGNORE_COUNT):
        raise GroupError(f"Ignore until 1 to {MAX_IGNORE_COUNT:,} more errors, not {occurrences!r}.")
    detail = (f"ignored for {minutes:,} minutes" if minutes is not None
              else f"ignored until {occurrences:,} more error{'s' if occurrences != 1 else ''}")
    _set_state(con, principal, group_id, "ignored", "ignored", ("open", "regressed", "resolved"), detail, now,
               ignore_minutes=minutes, ignore_count=occurrences)


def assign(con, principal: Principal, group_id: int, assignee: str | None, now: datetime | None = None) -> None:
    """Assign a group to a person (an email or name); None or blank unassigns."""
    identity.require(principal, "groups")
    assignee = (assignee or "").strip() or None
    if assignee is not None and len(assignee) > MAX_ASSIGNEE:
        raise GroupError(f"An assignee is at most {MAX_ASSIGNEE} characters.")
    with db.write(con):
        group = _group(con, group_id)
        if group["assignee"] == assignee:
            raise db.Unchanged
        queries.run(con, "error_group_assign", group_id=int(group_id), assignee=assignee, actor=principal.name,
                    now=_now(now))
        what = f"assigned to {assignee}" if assignee else "unassigned"
        audit.record(con, principal, "group.assigned", f"error group {group_id}",
                     f"{what} (was {group['assignee'] or 'unassigned'}) · {_describe(group)}")


def add_note(con, principal: Principal, group_id: int, body: str, now: datetime | None = None) -> int:
    """Add a note to a group, written by principal; returns the note id."""
    identity.require(principal, "groups")
    body = (body or "").strip()
    if not body:
        raise GroupError("A note needs some text.")
    if len(body) > MAX_NOTE:
        raise GroupError(f"A note is at most {MAX_NOTE:,} characters; this one has {len(body):,}.")
    with db.write(con):
        group = _group(con, group_id)
        note_id = queries.scalar(con, "error_group_note_insert", group_id=int(group_id), author=principal.name,
                                 author_subject=principal.subject, body=body, now=_now(now))
        audit.record(con, principal, "group.note", f"error group {group_id}",
                     f"note {note_id}: {body[:200]} · {_describe(group)}")
    return int(note_id)


def notes(con, group_id: int) -> list[dict]:
    return queries.records(con, "error_group_notes", group_id=int(group_id))

