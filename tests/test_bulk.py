"""Bulk retry: counts, cap, confirmation text, set-based queuing oldest first, and concurrency with single retries."""
import threading

import pytest

import queries
from entities.identity import Principal
from entities.sync import bulk, retry
from entities.sync.worker import Worker


def operator(name: str) -> Principal:
    return Principal(name, kind="user", role="operator")

ARTICLE_GROUP = "Article '<sku>' not found in Fortnox"
ORDER_ERRORS = {"integration": 1, "type": "order", "statuses": ["error"], "q": None, "updated_from": None,
                "updated_to": None, "error_group": None}


@pytest.mark.parametrize(("scope", "expected"), [
    (bulk.selection([2, 4, 999]), bulk.Summary(matched=2, already_open=0)),
    (bulk.list_filter(ORDER_ERRORS), bulk.Summary(matched=3, already_open=0)),
    (bulk.error_group(1, "order", ARTICLE_GROUP), bulk.Summary(matched=2, already_open=0)),
])
def test_summary_counts_what_would_be_retried(con, scope, expected):
    """Before confirming, the user learns how many records the selection, filter or group covers."""
    assert bulk.summary(con, scope) == expected


def test_summary_counts_records_with_an_open_retry(con):
    """Selected records that already have a retry queued are counted, to be skipped."""
    retry.request(con, [4], operator("someone.else"))
    assert bulk.summary(con, bulk.selection([2, 4])) == bulk.Summary(matched=2, already_open=1)


def test_retried_records_leave_the_error_filter(con):
    """After a single retry the record is pending, so a bulk retry of the error filter no longer counts it."""
    retry.request(con, [4], operator("someone.else"))
    assert bulk.summary(con, bulk.list_filter(ORDER_ERRORS)) == bulk.Summary(matched=2, already_open=0)


@pytest.mark.parametrize(("summary", "text"), [
    (bulk.Summary(1204, 37), "Retry 1,204 records? 37 already have a retry queued and will be skipped."),
    (bulk.Summary(2, 1), "Retry 2 records? 1 already has a retry queued and will be skipped."),
    (bulk.Summary(1, 0), "Retry 1 record?"),
])
def test_confirmation_states_the_exact_count(summary, text):
    """The confirmation says how many records will be retried and how many are skipped."""
    assert bulk.confirmation_text(summary) == text


@pytest.mark.parametrize(("env", "expected"), [(None, 10_000), ("250", 250), ("lots", 10_000), ("0", 10_000)])
def test_cap_from_environment(monkeypatch, env, expected):
    """ENTITIES_BULK_RETRY_CAP sets the cap; unset or invalid means 10,000."""
    if env is None:
        monkeypatch.delenv(bulk.CAP_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(bulk.CAP_VARIABLE, env)
    assert bulk.cap() == expected


def test_over_cap_message():
    """A filter matching more than the cap is refused with what to do."""
    assert bulk.over_cap_message(bulk.list_filter(ORDER_ERRORS), 12_400, 10_000) == (
        "This filter matches 12,400 records; the cap is 10,000. Narrow the filter or raise ENTITIES_BULK_RETRY_CAP.")
    assert bulk.over_cap_message(bulk.list_filter(ORDER_ERRORS), 10_000, 10_000) is None


def test_group_retry_queues_the_group_oldest_first(con):
    """Retrying an error group queues one request per record in it, oldest first, audited and pending."""
    batch = bulk.submit(con, bulk.error_group(1, "order", ARTICLE_GROUP), operator("ops.lead"))
    assert (batch.queued, batch.already_open, batch.missing) == (2, 0, 0)
    queued = queries.rows(con, "audit_page", requester="ops.lead", state="queued", requested_from=None,
                          requested_to=None, page_size=10, page_offset=0)
    assert [r[5] for r in sorted(queued)] == [6, 2]
    statuses = queries.rows(con, "bulk_selection_summary", ids=[2, 6])
    assert statuses == [(2, 2)]
    assert bulk.progress(con, batch) == {"requests": 2, "finished": 0, "succeeded": 0, "failed": 0}


def test_cap_limits_the_batch(con):
    """With a cap of 2 only the two oldest matching records are queued."""
    batch = bulk.submit(con, bulk.list_filter(ORDER_ERRORS), operator("ops.lead"), limit=2)
    assert sorted(batch.ids) == [2, 6]


def test_second_bulk_retry_skips_open_requests(con):
    """Confirming the same bulk retry of a selection twice queues nothing the second time."""
    first = bulk.submit(con, bulk.selection([2, 4, 6]), operator("ops.lead"))
    second = bulk.submit(con, bulk.selection([2, 4, 6]), operator("ops.lead"))
    assert (first.queued, second.queued, second.already_open) == (3, 0, 3)


def test_progress_counts_finished_requests(con):
    """Progress counts the batch's requests the worker has finished: the rate limit succeeds, the missing article
    fails again."""
    batch = bulk.submit(con, bulk.selection([2, 4]), operator("ops.lead"))
    Worker(con).drain()
    assert bulk.progress(con, batch) == {"requests": 2, "finished": 2, "succeeded": 1, "failed": 1}


def test_bulk_and_single_retry_at_once_give_one_request_per_record(con):
    """A bulk retry of a filter overlapping a single retry of one of its records yields one request per record."""
    errors = []

    def run(barrier, action):
        cursor = con.cursor()
        try:
            barrier.wait()
            action(cursor)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            cursor.close()

    for round_ in range(1, 6):
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=run, args=(barrier, lambda c: bulk.submit(c, bulk.list_filter(ORDER_ERRORS),
                                                                             operator("ops.lead")))),
            threading.Thread(target=run, args=(barrier, lambda c: retry.request(c, [4], operator("anna")))),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        counts = {i: queries.records(con, "retry_request_counts", entity_id=i)[0] for i in (2, 4, 6)}
        assert {i: c["open_requests"] for i, c in counts.items()} == {2: 1, 4: 1, 6: 1}
        assert {i: c["requests"] for i, c in counts.items()} == {2: round_ + 1, 4: round_, 6: round_}
        Worker(con).drain()
