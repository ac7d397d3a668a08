"""References: the retriever -> storer mapping with unmapped records and integrity problems, on the fixture DB."""
import csv
import io

import pytest
from conftest import open_app

import queries


def page(con, integration, problem="all", type_=None, q=None):
    return queries.records(con, "references_page", integration=integration, type=type_, q=q, problem=problem,
                           page_size=50, page_offset=0)


def test_integrity_problem_lists_both_retriever_refs(con):
    """Filtering on integrity problems shows the two orders that both map to invoice F-5001."""
    rows = page(con, 2, "conflict")
    assert [(r["entity_id"], r["retriever_ref"], r["storer_ref"], r["shared_by"]) for r in rows] == [
        (40, "wc-500", "F-5001", 2), (41, "wc-501", "F-5001", 2)]


def test_same_storer_ref_in_another_integration_is_no_conflict(con):
    """F-5001 in Nordic Outdoor is mapped once there, so it is not flagged."""
    assert page(con, 1, "conflict") == []


def test_unmapped_records(con):
    """Filtering on 'not yet mapped' shows the records without a storer reference, per type."""
    assert [(r["type"], r["retriever_ref"]) for r in page(con, 1, "unmapped")] == [
        ("article", "SKU-98"), ("customer", "C-1002"), ("order", "#1002"), ("order", "#1003"), ("order", "#1006")]


@pytest.mark.parametrize(("q", "expected"), [
    ("#1002", ["#1002"]),
    ("f-5004", ["#1004"]),
    ("ART-", ["SKU-1234"]),
    ("100%_", ["100%_off\\quote's"]),
    ("1001", ["C-1001", "#1001", "#10010"]),
])
def test_search_from_either_side(con, q, expected):
    """Searching finds a record by its retriever or its storer reference, case-insensitive and literal."""
    assert [r["retriever_ref"] for r in page(con, 1, q=q)] == expected


@pytest.mark.parametrize(("integration", "type_", "expected"), [
    (1, None, (12, 5, 0)),
    (1, "order", (8, 3, 0)),
    (2, None, (3, 1, 2)),
    (2, "customer", (1, 1, 0)),
])
def test_counts(con, integration, type_, expected):
    """The view counts records, unmapped ones and integrity problems under the type filter."""
    assert queries.one(con, "references_counts", integration=integration, type=type_, q=None) == expected


def test_csv_export_has_every_row_with_utc_timestamps(con, tmp_path):
    """Exporting writes every matching row with UTC ISO 8601 timestamps."""
    path = tmp_path / "refs.csv"
    queries.run(con, "references_export", integration=2, type=None, q=None, problem="all", path=str(path))
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    columns = ("retriever_ref", "storer_ref", "status", "last_updated_utc", "shared_by")
    assert [tuple(r[c] for c in columns) for r in rows] == [
        ("wc-c-77", "", "error", "2026-11-26T06:00:00Z", "0"),
        ("wc-500", "F-5001", "synced", "2026-11-10T10:00:00Z", "2"),
        ("wc-501", "F-5001", "synced", "2026-11-11T10:00:00Z", "2"),
    ]


def test_references_page_shows_conflicts(app_env):
    """Opening /references for Hem & Trädgård shows its counts and the conflicting pair."""
    at = open_app("references", integration="2", problem="conflict")
    assert not at.exception
    assert {m.label: m.value for m in at.metric} == {"Records": "3", "Not yet mapped": "1",
                                                      "Integrity problems": "2"}
    assert at.dataframe[0].value["retriever_ref"].tolist() == ["wc-500", "wc-501"]
