"""Error-group lifecycle: states by hand and by policy, ignore rules, assignment and notes, all audited."""
from datetime import UTC, datetime, timedelta

import pytest

import queries
from entities import db, identity
from entities.sync import handlers, retry, worker
from entities.watch import groups

OPERATOR = identity.Principal("olle@example.com", role="operator", subject="sub-olle")
VIEWER = identity.Principal("vera@example.com", role="viewer")
MISSING_ARTICLE = (1, "order", "ARTICLE_NOT_FOUND", "Article '<sku>' not found in Fortnox")
RATE_LIMIT = (1, "order", "RATE_LIMITED", "Rate limit exceeded: 429 Too Many Requests (retry after <number> s)")


def group(con, key) -> dict:
    rows = queries.records(con, "error_group_table", integration=None, states=[], group_id=None)
    return next(r for r in rows if (r["integration_id"], r["type"], r["error_code"], r["error_group"]) == key)


def audit_rows(con, target_id) -> list[tuple]:
    return con.execute("select actor, actor_kind, action, detail from audit_log where target = $t order by id",
                       {"t": f"error group {target_id}"}).fetchall()


def retry_now(con, entity_id):
    """A person retries the record and the worker runs it with the simulated handler."""
    retry.request(con, [entity_id], identity.Principal("ops@example.com", role="operator"))
    assert worker.Worker(con, handlers.simulated).drain() == 1


@pytest.fixture
def synced(con):
    groups.sync(con)
    return con


def test_first_sync_opens_one_group_per_code_message_and_type(synced):
    """Opening the overview on a database with errors shows each error group as open with its records."""
    g = group(synced, MISSING_ARTICLE)
    assert (g["state"], g["records"], g["integration"]) == ("open", 2, "Nordic Outdoor")
    assert g["first_seen"] == datetime(2026, 11, 26, 8, tzinfo=UTC)


def test_sync_without_changes_writes_nothing(synced):
    """A second evaluation with no new data changes nothing and does not bump the data version."""
    version = db.data_version()
    assert groups.sync(synced) == groups.SyncResult(0, [])
    assert db.data_version() == version


def test_group_auto_resolves_when_no_record_is_in_error(synced):
    """Once the only rate-limited order is retried successfully, its group resolves by itself, audited as policy."""
    gid = group(synced, RATE_LIMIT)["id"]
    retry_now(synced, 4)
    result = groups.sync(synced)
    assert (gid, "resolved") in result.transitions
    g = group(synced, RATE_LIMIT)
    assert (g["state"], g["records"], g["resolved_by"]) == ("resolved", 0, groups.POLICY.name)
    actor, kind, action, detail = audit_rows(synced, gid)[-1]
    assert (actor, kind, action) == (groups.POLICY.name, "policy", "group.resolved")
    assert "no record is in error" in detail


def test_resolved_group_regresses_when_a_record_fails_again(synced):
    """A group resolved by hand regresses when one of its records fails after the resolve."""
    gid = group(synced, MISSING_ARTICLE)["id"]
    groups.resolve(synced, OPERATOR, gid)
    groups.sync(synced)
    assert group(synced, MISSING_ARTICLE)["state"] == "resolved"
    retry_now(synced, 2)  # the article is still missing: it fails again
    result = groups.sync(synced)
    assert (gid, "regressed") in result.transitions
    assert [a[2] for a in audit_rows(synced, gid)] == ["group.resolved", "group.regressed"]


def test_resolved_group_with_old_errors_stays_resolved(synced):
    """Resolving a group whose records are still in error does not regress it until a new error comes."""
    gid = group(synced, MISSING_ARTICLE)["id"]
    groups.resolve(synced, OPERATOR, gid)
    assert groups.sync(synced).transitions == []
    assert group(synced, MISSING_ARTICLE)["state"] == "resolved"


@pytest.mark.parametrize("more, state", [(1, "open"), (2, "ignored"), (3, "ignored")])
def test_ignore_until_n_more_errors(synced, more, state):
    """A group ignored until N more errors reopens after the Nth new error and not before (here: 1 new error)."""
    gid = group(synced, MISSING_ARTICLE)["id"]
    groups.ignore(synced, OPERATOR, gid, occurrences=more)
    retry_now(synced, 6)
    groups.sync(synced)
    assert group(synced, MISSING_ARTICLE)["state"] == state


def test_ignore_until_two_errors_reopens_after_the_second(synced):
    """Two new errors of the group after an ignore-until-2 reopen it, and the audit says why."""
    gid = group(synced, MISSING_ARTICLE)["id"]
    groups.ignore(synced, OPERATOR, gid, occurrences=2)
    for entity_id in (2, 6):
        retry_now(synced, entity_id)
    groups.sync(synced)
    assert group(synced, MISSING_ARTICLE)["state"] == "open"
    *_, action, detail = audit_rows(synced, gid)[-1]
    assert action == "group.open" and "2 more errors" in detail


def test_ignore_for_a_duration_ends_by_time(synced):
    """A group ignored for 30 minutes is ignored 29 minutes later and open again 31 minutes later."""
    gid = group(synced, MISSING_ARTICLE)["id"]
    start = datetime.now(UTC)
    groups.ignore(synced, OPERATOR, gid, minutes=30, now=start)
    groups.sync(synced, now=start + timedelta(minutes=29))
    assert group(synced, MISSING_ARTICLE)["state"] == "ignored"
    groups.sync(synced, now=start + timedelta(minutes=31))
    assert group(synced, MISSING_ARTICLE)["state"] == "open"


def test_assignment_and_notes_keep_author_and_time(synced):
    """An operator assigns a group and writes a note; both show who and when, and both are audited."""
    gid = group(synced, MISSING_ARTICLE)["id"]
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    groups.assign(synced, OPERATOR, gid, "  anna@example.com ", now=at)
    groups.add_note(synced, OPERATOR, gid, "Waiting for <b>ERP</b> team", now=at)
    state = queries.records(synced, "error_group_state", group_id=gid)[0]
    assert (state["assignee"], state["assigned_by"], state["assigned_at"]) == ("anna@example.com", OPERATOR.name, at)
    [note] = groups.notes(synced, gid)
    assert (note["author"], note["written_at"], note["body"]) == (OPERATOR.name, at, "Waiting for <b>ERP</b> team")
    assert [a[2] for a in audit_rows(synced, gid)] == ["group.assigned", "group.note"]


@pytest.mark.parametrize("call, message", [
    (lambda c, g: groups.ignore(c, OPERATOR, g), "either"),
    (lambda c, g: groups.ignore(c, OPERATOR, g, minutes=0), "1 to"),
    (lambda c, g: groups.ignore(c, OPERATOR, g, occurrences=-3), "1 to"),
    (lambda c, g: groups.add_note(c, OPERATOR, g, "   "), "needs some text"),
    (lambda c, g: groups.assign(c, OPERATOR, g, "x" * 300), "at most"),
    (lambda c, g: groups.resolve(c, OPERATOR, 99_999), "no error group"),
])
def test_bad_lifecycle_input_is_refused_with_a_message(synced, call, message):
    """Bad input to a lifecycle change gets a clear message and changes nothing."""
    gid = group(synced, MISSING_ARTICLE)["id"]
    before = synced.execute("select count(*) from audit_log").fetchone()
    with pytest.raises(groups.GroupError, match=message):
        call(synced, gid)
    assert synced.execute("select count(*) from audit_log").fetchone() == before


def test_resolving_twice_is_refused(synced):
    """Resolving a group that is already resolved says so instead of writing a second audit row."""
    gid = group(synced, MISSING_ARTICLE)["id"]
    groups.resolve(synced, OPERATOR, gid)
    with pytest.raises(groups.GroupError, match="is resolved"):
        groups.resolve(synced, OPERATOR, gid)
    assert len(audit_rows(synced, gid)) == 1


def test_viewer_may_not_change_a_group(synced):
    """A viewer cannot resolve a group: the server refuses, whatever the page shows."""
    gid = group(synced, MISSING_ARTICLE)["id"]
    with pytest.raises(identity.Forbidden, match="groups"):
        groups.resolve(synced, VIEWER, gid)
    assert group(synced, MISSING_ARTICLE)["state"] == "open"


def test_audit_page_lists_group_changes(app_env):
    """After an operator resolves a group, /audit lists the change with who made it."""
    from conftest import open_app

    con = db.shared(app_env)
    groups.sync(con.cursor())
    groups.resolve(con.cursor(), OPERATOR, group(con, MISSING_ARTICLE)["id"])
    at = open_app("audit", log="changes")
    assert not at.exception
    changes = next(d for d in at.dataframe if "action" in d.value.columns).value
    assert (changes["action"].iloc[0], changes["actor"].iloc[0]) == ("group.resolved", OPERATOR.name)


def _recount(con) -> dict:
    """The groups counted from scratch with error_group() itself, no memo."""
    rows = con.execute("select integration_id, type, coalesce(error_code, ''), "
                       "error_group(coalesce(error_message, '')), count(*) from entities "
                       "where status = 'error' group by all").fetchall()
    return {tuple(r[:4]): r[4] for r in rows}


def test_group_counts_equal_a_recount_after_retries(synced):
    """After retries heal and fail records, the overview's group counts equal a recount of the records in error."""
    failing = [r[0] for r in synced.execute("select id from entities where status = 'error' order by id").fetchall()]
    for entity_id in failing[:3]:
        retry_now(synced, entity_id)
    groups.sync(synced)
    shown = {(r["integration_id"], r["type"], r["error_code"], r["error_group"]): r["records"]
             for r in queries.records(synced, "error_group_table", integration=None, states=[], group_id=None)
             if r["records"]}
    assert shown == _recount(synced)


def test_fingerprint_memo_keeps_only_messages_in_error_after_prune(synced):
    """Pruning drops the memoised group of a message once no record fails with it; the others stay exact."""
    from entities import retention

    healed = synced.execute("select id, error_message from entities where status = 'error' and error_code = "
                            "'RATE_LIMITED' order by id limit 1").fetchone()
    retry_now(synced, healed[0])
    groups.sync(synced)
    retention.prune(synced)
    memo = dict(synced.execute("select message, fingerprint from error_fingerprints").fetchall())
    in_error = {r[0] for r in synced.execute("select coalesce(error_message, '') from entities "
                                              "where status = 'error'").fetchall()}
    assert set(memo) == in_error and healed[1] not in memo
    assert all(memo[m] == synced.execute("select error_group($m)", {"m": m}).fetchone()[0] for m in memo)
