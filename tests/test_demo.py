"""`entities demo`: a small deterministic demo database has the shape the app and its users rely on."""
from __future__ import annotations

import pytest

import queries
from entities import db
from entities.cli import main

ANCHOR = "2026-11-26T12:00"
DEMO = ["--entities", "2000", "--seed", "7", "--anchor", ANCHOR]


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    assert main(["demo", "--db", str(path), *DEMO]) == 0
    return path


@pytest.fixture(scope="module")
def demo(demo_path):
    con = db.connect(demo_path, read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize(("status", "low", "high"), [("synced", 0.86, 0.94), ("error", 0.04, 0.08),
                                                     ("pending", 0.025, 0.055)])
def test_status_mix(demo, status, low, high):
    """An ops lead sees mostly synced records, a few percent errors and a few pending."""
    shares = dict(queries.rows(demo, "demo_check_status_shares"))
    assert low <= shares[status] <= high


@pytest.mark.parametrize("column", ["wrong_last_outcome", "wrong_last_time", "wrong_first_time",
                                    "wrong_first_operation", "out_of_order"])
def test_history_agrees_with_entity(demo, column):
    """Opening a record shows a timeline from create to a last operation matching its status and time."""
    checks = queries.records(demo, "demo_check_histories")[0]
    assert checks[column] == 0


def test_retriever_refs_unique_per_integration_and_type(demo):
    """Looking up a retriever reference within one tab finds at most one record."""
    assert queries.scalar(demo, "demo_check_duplicate_refs") == 0


def test_children_match_rows_and_orders_have_1_to_12_lines(demo):
    """The children column counts the lines a user finds on the detail page; orders have 1 to 12 lines."""
    checks = queries.records(demo, "demo_check_children")[0]
    assert checks["mismatched"] == 0
    assert 1 <= checks["min_order_lines"] <= checks["max_order_lines"] <= 12


def test_orders_have_totals_in_their_currency_that_add_up_their_lines(demo):
    """Every demo order shows a total: mostly SEK, some EUR, NOK and USD, the sum of its lines in that currency."""
    checks = queries.records(demo, "demo_check_order_totals")[0]
    shares = checks["currency_shares"]
    assert set(shares) == {"SEK", "EUR", "NOK", "USD"}
    assert shares["SEK"] > 0.6 and all(0.01 < shares[c] < 0.2 for c in ("EUR", "NOK", "USD"))
    assert (checks["without_total"], checks["total_not_lines_sum"], checks["lines_in_other_currency"]) == (0, 0, 0)


def test_same_seed_and_anchor_give_identical_data(demo, tmp_path):
    """Generating again with the same N, seed and anchor gives exactly the same entities and transactions."""
    again = tmp_path / "again.duckdb"
    assert main(["demo", "--db", str(again), *DEMO]) == 0
    con = db.connect(again, read_only=True)
    try:
        assert queries.one(con, "demo_check_checksum") == queries.one(demo, "demo_check_checksum")
    finally:
        con.close()


@pytest.mark.parametrize("column", ["not_json", "over_1mb"])
def test_raw_data_includes_awkward_payloads(demo, column):
    """The raw-data viewer meets at least one non-JSON response and one payload over 1 MB."""
    assert queries.records(demo, "demo_check_payloads")[0][column] >= 1


def test_error_entities_have_catalogued_codes(demo):
    """Every failed record has an error code whose cause and fix can be shown next to it."""
    assert queries.scalar(demo, "demo_check_unknown_codes") == 0


def test_entities_only_in_enabled_flows(demo):
    """Records exist only for types whose flow is enabled, so no tab is hidden that has data."""
    assert queries.scalar(demo, "demo_check_disabled_types") == 0


@pytest.mark.parametrize(("force", "code"), [(False, 2), (True, 0)])
def test_existing_database_replaced_only_with_force(demo_path, tmp_path, capsys, force, code):
    """Running demo on an existing database refuses with a clear message unless --force is given."""
    target = tmp_path / "existing.duckdb"
    target.write_bytes(demo_path.read_bytes())
    before = target.read_bytes()
    args = ["demo", "--db", str(target), "--entities", "50", *(["--force"] if force else [])]
    assert main(args) == code
    if force:
        assert not (tmp_path / "existing.duckdb.tmp").exists()
        con = db.connect(target, read_only=True)
        assert dict(queries.rows(con, "demo_table_counts"))["entities"] == 50
        con.close()
    else:
        assert "--force" in capsys.readouterr().err
        assert target.read_bytes() == before


def test_demo_writes_progress_to_the_stderr_of_its_own_run(tmp_path, monkeypatch, capsys):
    """A demo run after an earlier capture's stream was closed still reports progress, not 'closed file'."""
    import io
    gone = io.StringIO()
    monkeypatch.setattr("sys.stderr", gone)
    import importlib

    import entities.cli.demo as demo_cli
    importlib.reload(demo_cli)
    gone.close()
    monkeypatch.undo()
    assert main(["demo", "--db", str(tmp_path / "d.duckdb"), "--entities", "50", "--seed", "1"]) == 0
    assert "checkpoint…" in capsys.readouterr().err
