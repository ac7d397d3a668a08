"""`entities bench` end to end at a tiny scale: every operation timed, both baselines, same results."""
import json

import pytest

from entities.cli import main
from entities.cli.bench import OPERATIONS
from entities.cli.bench_api import OPERATIONS as OPERATIONS_API


@pytest.fixture(scope="module")
def full_report(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "out.json"
    assert main(["bench", "--entities", "2000", "--runs", "3", "--json", str(out), "--no-browser",
                 "--dir", str(folder), "--no-worker", "--ingest-rows", "3000",
                 "--sessions", "2", "--sessions-seconds", "6"]) == 0
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def report(full_report) -> dict:
    return full_report["scales"]["2000"]


def test_read_api_is_timed_by_the_server(full_report):
    """The bench times the read API's list page and entity over real HTTP and reports the server's medians."""
    operations = full_report["api"]["operations"]
    assert set(operations) == {key for key, _, _ in OPERATIONS_API}
    for key, entry in operations.items():
        assert 0 < entry["server_median_ms"] <= entry["wall_median_ms"] and entry["runs"] == 3, key


def test_concurrent_sessions_report_latency_errors_and_server_cost(full_report):
    """`--sessions 2` drives two protocol-level sessions and reports their latency, errors, server CPU and RSS."""
    sessions = full_report["sessions"]
    assert sessions["sessions"] == 2 and sessions["actions"] >= 2 and sessions["errors"] == 0, sessions
    assert 0 < sessions["p50_ms"] <= sessions["p95_ms"] and sessions["server_cpu_s"] > 0
    assert sessions["rss_peak_bytes"] > 0 and len(sessions["load_average_before"]) == 3
    assert sessions["solo_actions"] >= 1 and sessions["solo_errors"] == 0 and sessions["solo_p50_ms"] > 0


def test_ingest_is_measured_against_import_in_the_same_run(full_report):
    """The bench posts the same new rows through the API as it imports, and reports rows/s, ratio and posts/s."""
    ingest = full_report["ingest"]
    assert ingest["import_rows_per_s"] > 0 and ingest["batched_rows_per_s"] > 0
    assert ingest["ratio_to_import"] == round(ingest["batched_rows_per_s"] / ingest["import_rows_per_s"], 2)
    assert ingest["single_posts_per_s"] > 0 and ingest["single_latency_median_ms"] > 0


def test_every_operation_has_numeric_medians(report):
    """The user runs the bench and gets a DuckDB median and p95 for every operation."""
    for op in OPERATIONS:
        timing = report["operations"][op.key]["duckdb"]
        assert timing["median_ms"] > 0 and timing["p95_ms"] >= timing["median_ms"] and timing["runs"] == 3, op.key


def test_both_baselines_are_timed_with_ratios(report):
    """Each baseline operation has a pandas and an SQLite median and its ratio to DuckDB."""
    for op in OPERATIONS:
        entry = report["operations"][op.key]
        names = [] if not op.baselines else ["sqlite"] if op.key == "retry" else ["pandas", "sqlite"]
        for name in names:
            assert entry[name]["median_ms"] > 0, (op.key, name)
            assert entry[f"ratio_{name}"] == pytest.approx(entry[name]["median_ms"] / entry["duckdb"]["median_ms"],
                                                           abs=0.01)


def test_baselines_return_the_same_list_pages_and_lookups(report):
    """pandas and SQLite return the same ids and totals as DuckDB for list pages, searches, lookups, history."""
    compared = [op.key for op in OPERATIONS if op.compared]
    assert {"list_selective", "list_broad", "lookup_retriever", "lookup_storer", "substring"} <= set(compared)
    for key in compared:
        assert report["operations"][key]["same_result"] == {"pandas": True, "sqlite": True}, key


def test_baseline_costs_are_reported(report):
    """The pandas load time and memory and the SQLite build time are reported apart from the operations."""
    assert report["baselines"]["pandas"]["load_seconds"] >= 0
    assert report["baselines"]["pandas"]["memory_bytes"] > 0
    assert report["baselines"]["sqlite"]["build_seconds"] > 0


def test_export_writes_every_matching_row(report):
    """The timed CSV export is the list's export: one row per matching entity."""
    assert report["operations"]["export"]["rows"] == report["export_rows"] > 0
