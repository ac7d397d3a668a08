"""Requesting retries: one transaction, idempotent in the database, set-based for thousands of ids."""
import threading

import pytest

import queries
from entities.identity import Principal
from entities.sync import retry


def operator(name: str) -> Principal:
    return Principal(name, kind="user", role="operator")

FIXTURE_ENTITIES = 15


def counts(con, entity_id):
    """(retry requests, open requests, pending retry transactions) of one entity."""
    return queries.one(con, "retry_request_counts", entity_id=entity_id)


def test_request_queues_marks_pending_and_appends_transaction(con):
    """An ops lead retries entity 4: it is pending, has a pending retry transaction and one queued request."""
    result = retry.request(con, [4], operator("ops@example.com"))
    assert result == retry.RetryResult(queued=[4], already_open=[], missing=[])
    assert counts(con, 4) == (1, 1, 1)
    assert queries.records(con, "entity_detail", entity_id=4)[0]["status"] == "pending"
    assert retry.open_request(con, 4)["requested_by"] == "ops@example.com"


def test_second_request_while_queued_is_refused(con):
    """Retrying a record again while its retry is still queued is refused and changes nothing."""
    retry.request(con, [2], operator("a"))
    result = retry.request(con, [2], operator("b"))
    assert result.queued == [] and result.already_open == [2]
    assert counts(con, 2) == (2, 1, 1)


@pytest.mark.parametrize("ids, missing", [([999999], [999999]), ([2, -1, 999999], [-1, 999999]), ([], [])])
def test_missing_ids_are_reported(con, ids, missing):
    """Retrying an id that does not exist reports it as missing and queues only real records."""
    result = retry.request(con, ids, operator("a"))
    assert result.missing == missing
    assert result.queued == [i for i in ids if i == 2]


def test_two_sessions_at_once_give_exactly_one_request(con):
    """Two sessions press Retry on the same record at the same moment: exactly one request and one retry row."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def press(actor):
        cursor = con.cursor()
        barrier.wait()
        try:
            results.append(retry.request(cursor, [2], operator(actor)))
        except Exception as exc:  # noqa: BLE001 - surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=press, args=(f"user{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(len(r.queued) for r in results) == [0, 1]
    assert sorted(len(r.already_open) for r in results) == [0, 1]
    assert counts(con, 2) == (2, 1, 1)


def test_five_thousand_ids_in_one_request(con):
    """A bulk retry of 5,000 ids queues every existing record once and reports the rest missing."""
    ids = list(range(1, 5001))
    result = retry.request(con, ids, operator("bulk"))
    assert len(result.queued) == FIXTURE_ENTITIES
    assert len(result.missing) == 5000 - FIXTURE_ENTITIES
    assert queries.records(con, "retry_queue_summary")[0]["queued"] == FIXTURE_ENTITIES
