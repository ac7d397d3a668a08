"""Requesting retries: one DB transaction queues the requests, appends pending 'retry' transactions, marks pending.

Idempotency lives in the database: retry_requests.open_entity_id is UNIQUE while a request is queued or running,
so two sessions asking at once cannot both queue one. The loser's transaction fails (constraint or write-write
conflict); we roll back and ask again, and then its ids show up as already_open.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import duckdb

import queries
from entities import db, hourly
from entities.identity import AUTO_RETRY, Principal, require
from entities.sync import policy

ATTEMPTS = 4
_CONFLICTS = (duckdb.TransactionException, duckdb.ConstraintException)


@dataclass(frozen=True)
class RetryResult:
    queued: list[int] = field(default_factory=list)  # a request was queued now
    already_open: list[int] = field(default_factory=list)  # a request was already queued or running: refused
    missing: list[int] = field(default_factory=list)  # no entity with that id


def request(con: duckdb.DuckDBPyConnection, entity_ids: list[int], principal: Principal) -> RetryResult:
    """Queue retries for entity_ids as principal, set-based; safe against double clicks and concurrent sessions.
    Raises identity.Forbidden unless the principal may retry: the server refuses, whatever a page shows."""
    require(principal, "retry")
    wanted = sorted({int(i) for i in entity_ids})
    if not wanted:
        return RetryResult()
    for attempt in range(ATTEMPTS):
        try:
            return _request_once(con, wanted, principal)
        except _CONFLICTS:
            if attempt == ATTEMPTS - 1:
                raise
            # the other writer is committing; its requests become visible as already open on the next attempt
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _request_once(con, wanted: list[int], principal: Principal) -> RetryResult:
    actor = principal.name
    with db.write(con):
        taken = [row[0] for row in queries.rows(con, "retry_request_take_over_scheduled", ids=wanted, actor=actor,
                                                policy_actor=AUTO_RETRY.name)]
        queued = taken + [row[0] for row in queries.rows(con, "retry_request_insert", ids=wanted, actor=actor)]
        if queued:
            mark_queued(con, queued, principal)
        missing = [row[0] for row in queries.rows(con, "retry_ids_missing", ids=wanted)]
    done = set(queued) | set(missing)
    return RetryResult(queued=sorted(queued), already_open=[i for i in wanted if i not in done], missing=missing)


def mark_queued(con, queued: list[int], principal: Principal) -> None:
    """What queuing retries for these entities records, in the caller's write transaction: who asked, the pending
    'retry' transaction, and the records pending."""
    queries.run(con, "retry_request_actor_insert", ids=queued, actor_subject=principal.subject,
                actor_kind=principal.kind)
    queries.run(con, "retry_transaction_insert", ids=queued, actor=principal.name)
    hourly.update_entities(con, "retry_entities_mark_pending", queued, ids=queued)


def _rollback(con) -> None:
    """Roll back if a transaction is still open (a failed commit has already ended it)."""
    try:
        con.rollback()
    except duckdb.TransactionException:
        pass


def state(con, entity_id: int) -> dict | None:
    """The entity's retry state: its open request's attempt and due time, max_attempts under its integration's
    policy, and when, after how many attempts and why the policy gave up (gave_up_*, None unless it has)."""
    found = queries.records(con, "entity_retry_state", entity_id=entity_id)
    if not found:
        return None
    row = found[0]
    rules = policy.load(con).get(row["integration_id"], policy.DEFAULT)
    return row | {"max_attempts": rules.max_attempts, "auto_retry": rules.auto_retry}


def open_request(con, entity_id: int) -> dict | None:
    """The entity's queued or running retry request (id, state, requested_at, requested_by), or None."""
    found = queries.records(con, "retry_open_request", entity_id=entity_id)
    return found[0] if found else None
