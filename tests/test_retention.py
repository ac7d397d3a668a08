"""Retention: old transactions and payloads go, each record's last success and last failure always stay."""
from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

import queries
from entities import db, identity, retention
from entities.cli import main
from entities.ui import listing

DEFAULTS = retention.Defaults(keep_days=20, payload_days=5)


@pytest.fixture
def demo_copy(demo_db, tmp_path):
    path = tmp_path / "prune.duckdb"
    shutil.copy(demo_db, path)
    return path


def _now(con):
    return con.execute("select max(occurred_at) from transactions").fetchone()[0] + timedelta(minutes=1)


def _last_per_outcome(con) -> set[tuple]:
    rows = con.execute("select entity_id, outcome, id, occurred_at from transactions "
                       "where outcome in ('success', 'error')").fetchall()
    last = {}
    for entity_id, outcome, tx_id, at in rows:
        key = (entity_id, outcome)
        if key not in last or (at, tx_id) > last[key][1:]:
            last[key] = (tx_id, at, tx_id)
    return {(k[0], k[1], v[0]) for k, v in last.items()}


def test_prune_keeps_each_records_last_success_and_last_failure(demo_copy):
    """An ops lead prunes a year of history; every record still shows its last success and last failure."""
    con = db.connect(demo_copy)
    now = _now(con)
    protected = _last_per_outcome(con)
    entities_before = con.execute("select count(*) from entities").fetchone()[0]
    retention.prune(con, now=now, defaults=DEFAULTS, batch=300)
    remaining = {tuple(r) for r in con.execute("select entity_id, outcome, id from transactions").fetchall()}
    assert protected <= remaining
    assert con.execute("select count(*) from entities").fetchone()[0] == entities_before
    expired_left = con.execute("select count(*) from transactions where occurred_at < $cut",
                               {"cut": now - timedelta(days=20)}).fetchone()[0]
    assert expired_left <= len(protected)


def test_dry_run_plan_counts_what_prune_then_removes(demo_copy):
    """The dry run's numbers are exactly what the real prune deletes and empties, and nothing is left after it."""
    con = db.connect(demo_copy)
    now = _now(con)
    planned = retention.plan(con, now=now, defaults=DEFAULTS)
    before = con.execute("select count(*) from transactions").fetchone()[0]
    result = retention.prune(con, now=now, defaults=DEFAULTS, batch=500)
    assert sum(r["transactions"] for r in planned) == result.deleted == before - con.execute(
        "select count(*) from transactions").fetchone()[0]
    assert sum(r["payloads"] for r in planned) == result.payloads_dropped > 0
    assert all(r["transactions"] == r["payloads"] == 0 for r in retention.plan(con, now=now, defaults=DEFAULTS))


def test_old_success_payloads_are_dropped_but_failures_keep_theirs(demo_copy):
    """After the payload window, successful syncs lose their payloads; failed ones keep them for diagnosis."""
    con = db.connect(demo_copy)
    now = _now(con)
    cut = now - timedelta(days=DEFAULTS.payload_days)
    recent_errors = ("select count(*) from transactions where outcome = 'error' and occurred_at >= $c "
                     "and request_payload is not null")
    errors_with_payload = con.execute(recent_errors, {"c": now - timedelta(days=20)}).fetchone()[0]
    retention.prune(con, now=now, defaults=DEFAULTS)
    old_success_payloads = con.execute(
        "select count(*) from transactions t where outcome = 'success' and occurred_at < $cut "
        "and request_payload is not null and occurred_at < (select max(occurred_at) from transactions s "
        "where s.entity_id = t.entity_id and s.outcome = 'success')", {"cut": cut}).fetchone()[0]
    assert old_success_payloads == 0
    assert con.execute(recent_errors, {"c": now - timedelta(days=20)}).fetchone()[0] == errors_with_payload


def test_an_integration_override_keeps_its_history_longer(demo_copy):
    """An admin keeps one integration's history for a year; prune leaves that integration's rows alone."""
    con = db.connect(demo_copy)
    now = _now(con)
    retention.set_policy(con, identity.LOCAL_ADMIN, 1, keep_days=3650, payload_days=3650)
    plan = {r["integration_id"]: r for r in retention.plan(con, now=now, defaults=DEFAULTS)}
    assert plan[1]["transactions"] == plan[1]["payloads"] == 0
    assert any(r["transactions"] for i, r in plan.items() if i != 1)
    assert con.execute("select action, actor from audit_log").fetchall() == [("retention.set",
                                                                               identity.LOCAL_ADMIN.name)]


@pytest.mark.parametrize(("keep", "payload", "message"), [(0, 5, "keep_days"), (10, -1, "payload_days"),
                                                          ("ten", 5, "keep_days")])
def test_a_bad_policy_is_refused_with_the_reason(demo_copy, keep, payload, message):
    """An admin types a nonsense retention; it is refused and says which value is wrong."""
    con = db.connect(demo_copy)
    with pytest.raises(ValueError, match=message):
        retention.set_policy(con, identity.LOCAL_ADMIN, 1, keep_days=keep, payload_days=payload)


def test_a_viewer_cannot_change_retention(demo_copy):
    """Only admins set retention; the server refuses anyone else."""
    con = db.connect(demo_copy)
    with pytest.raises(identity.Forbidden):
        retention.set_policy(con, identity.Principal("v@x", role="viewer"), 1, keep_days=10, payload_days=1)


def test_cli_dry_run_changes_nothing_and_compact_shrinks_the_file(demo_copy, capsys, monkeypatch):
    """`entities prune --dry-run` shows the plan and leaves the file; `--compact` prunes and shrinks it."""
    monkeypatch.setenv("ENTITIES_RETAIN_DAYS", "3")
    monkeypatch.setenv("ENTITIES_RETAIN_PAYLOAD_DAYS", "1")
    before = demo_copy.read_bytes()
    assert main(["prune", "--db", str(demo_copy), "--dry-run"]) == 0
    assert "dry run: nothing was changed" in capsys.readouterr().out
    assert demo_copy.read_bytes() == before
    con = db.connect(demo_copy, read_only=True)
    entities = con.execute("select count(*) from entities").fetchone()[0]
    con.close()
    assert main(["prune", "--db", str(demo_copy), "--compact"]) == 0
    assert "compacted:" in capsys.readouterr().out
    assert demo_copy.stat().st_size < len(before)
    con = db.connect(demo_copy)
    assert con.execute("select count(*) from entities").fetchone()[0] == entities
    assert queries.schema_version(con) == queries.latest_version()  # no re-migration: versions, macros, indexes kept
    assert queries.scalar(con, "entity_count", **listing.filter_params(1, "order", [], "")) > 0
    con.close()
    assert not list(demo_copy.parent.glob("*.bak"))


def test_bad_retention_configuration_is_a_message_not_a_traceback(demo_copy, capsys, monkeypatch):
    """A typo in ENTITIES_RETAIN_DAYS gets a one-line message and exit code 2."""
    monkeypatch.setenv("ENTITIES_RETAIN_DAYS", "ninety")
    assert main(["prune", "--db", str(demo_copy), "--dry-run"]) == 2
    assert "ENTITIES_RETAIN_DAYS='ninety'" in capsys.readouterr().err


def test_prune_beside_a_reader_with_an_open_result_finishes(demo_copy, monkeypatch):
    """A page leaves a query's result half read while the daily prune runs: the prune still finishes and is complete."""
    monkeypatch.setattr(retention, "CHECKPOINT_PATIENCE", 0.05)
    con = db.connect(demo_copy)
    now = _now(con)
    reader = con.cursor()
    reader.execute("select * from entities where id > $n", {"n": 0}).fetchone()  # its transaction stays open
    result = retention.prune(con.cursor(), now=now, defaults=DEFAULTS, batch=3000, pace=0.1)
    assert result.checkpoints_skipped > 0 and result.deleted > 0
    reader.close()
    assert all(r["transactions"] == r["payloads"] == 0 for r in retention.plan(con, now=now, defaults=DEFAULTS))
