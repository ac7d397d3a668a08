"""The entity list queries on the literal fixture DB: filters × sort × paging, reference search, count, export."""
import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

import queries
from entities.ui import listing

BULK_SQL = Path(__file__).with_name("fixture_list_bulk.sql")
ORDERS_BY_NEWEST = [3, 4, 2, 6, 5, 1, 7, 8]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def page_ids(con, params: dict, sort: str = listing.DEFAULT_SORT, limit: int = 1000, offset: int = 0) -> list[int]:
    rows = queries.records(con, "entity_page", listing.sort_idents(sort), **params, limit=limit, offset=offset)
    return [r["id"] for r in rows]


def orders(**kw) -> dict:
    return listing.filter_params(1, "order", **kw)


@pytest.mark.parametrize(("params", "expected"), [
    (orders(), ORDERS_BY_NEWEST),
    (orders(statuses=["error"]), [4, 2, 6]),
    (orders(statuses=["error", "pending"]), [3, 4, 2, 6]),
    (orders(statuses=["synced"]), [5, 1, 7, 8]),
    (orders(statuses=["pending"]), [3]),
    (listing.filter_params(1, "article"), [21, 20]),
    (listing.filter_params(1, "customer"), [31, 30]),
    (listing.filter_params(1, "stock"), []),
    (listing.filter_params(2, "order"), [41, 40]),
    (listing.filter_params(2, "customer", ["error"]), [42]),
    (listing.filter_params(3, "article"), []),
    (listing.filter_params(1, None), [31, 3, 4, 2, 6, 21, 5, 1, 30, 7, 8, 20]),
    (orders(updated_from=utc("2026-11-26 00:00")), [3, 4, 2, 6]),
    (orders(updated_to=utc("2026-11-20 00:00")), [7, 8]),
    (orders(updated_from=utc("2026-11-20 00:00"), updated_to=utc("2026-11-23 00:00")), [5, 1]),
    (orders(updated_from=utc("2026-11-26 10:15"), updated_to=utc("2026-11-26 11:00")), [4]),
    (orders(statuses=["synced"], updated_from=utc("2026-11-26 00:00")), []),
])
def test_filters(con, params, expected):
    """Picking a type, statuses and an updated range lists exactly the matching records, newest first."""
    assert page_ids(con, params) == expected


def test_error_group_filter(con):
    """Following a link for an error group lists only the records whose error message falls in that group."""
    group = con.execute("select error_group(error_message) from entities where id = 2").fetchone()[0]
    assert page_ids(con, orders(error_group=group)) == [2, 6]
    assert page_ids(con, orders(error_group="no such group")) == []


SORTED = {
    "-last_updated": ORDERS_BY_NEWEST,
    "last_updated": [8, 7, 1, 5, 6, 2, 4, 3],
    "status": [2, 4, 6, 3, 1, 5, 7, 8],
    "-status": [1, 5, 7, 8, 3, 2, 4, 6],
    "retriever_ref": [1, 5, 2, 3, 4, 6, 7, 8],
    "-retriever_ref": [8, 7, 6, 4, 3, 2, 5, 1],
    "storer_ref": [1, 4, 7, 8, 5, 2, 3, 6],
    "-storer_ref": [5, 8, 7, 4, 1, 2, 3, 6],
    "children": [7, 8, 3, 4, 5, 1, 6, 2],
    "-children": [2, 1, 6, 3, 4, 5, 7, 8],
}


def test_every_sort_option_is_covered():
    """Every sort the UI offers has an expected order below."""
    assert set(SORTED) == set(listing.SORT_OPTIONS)


@pytest.mark.parametrize("sort", sorted(SORTED))
@pytest.mark.parametrize(("limit", "offset"), [(3, 0), (3, 3), (3, 6), (5, 5), (50, 0), (50, 50)])
def test_sort_and_paging(con, sort, limit, offset):
    """Sorting by any column and paging through shows each slice of that order, ties broken by id."""
    assert page_ids(con, orders(), sort, limit, offset) == SORTED[sort][offset:offset + limit]


@pytest.mark.parametrize(("q", "sort", "expected"), [
    ("#1001", "-last_updated", [1, 5]),
    ("#1001", "children", [1, 5]),
    ("#100", "-last_updated", [3, 4, 2, 6, 5, 1]),
    ("1001", "-last_updated", [5, 1]),
    ("F-5004", "-last_updated", [4]),
    ("f-5004", "-last_updated", [4]),
    ("F-50", "-last_updated", [4, 5, 1, 7, 8]),
    ("#1002", "-last_updated", [2]),
    ("'", "-last_updated", [7]),
    ("%", "-last_updated", [7]),
    ("_", "-last_updated", [7]),
    ("\\", "-last_updated", [7]),
    ("100%_off\\quote's", "-last_updated", [7]),
    ("100%_OFF\\QUOTE'S", "-last_updated", [7]),
    ("%%", "-last_updated", []),
    ("_1", "-last_updated", []),
    ("#10_1", "-last_updated", []),
    ("ÅÄÖ", "-last_updated", [8]),
    ("åäö-ØRDER", "-last_updated", [8]),
    ("x" * 10_000, "-last_updated", []),
    ("' or 1=1 --", "-last_updated", []),
    ("", "-last_updated", ORDERS_BY_NEWEST),
])
def test_reference_search(con, q, sort, expected):
    """Searching a reference matches either reference literally and case-insensitively, exact matches first."""
    assert page_ids(con, orders(q=q), sort) == expected


@pytest.mark.parametrize(("q", "expected"), [("1001", [30]), ("c-100", [31, 30]), ("C-1002", [31])])
def test_search_in_customers(con, q, expected):
    """A customer number matches the storer reference exactly and ranks first."""
    assert page_ids(con, listing.filter_params(1, "customer", q=q)) == expected


def test_match_rank_marks_exact_matches(con):
    """Exact reference matches carry rank 0, substring matches rank 1."""
    rows = queries.records(con, "entity_page", listing.sort_idents("-last_updated"), **orders(q="#1001"),
                           limit=10, offset=0)
    assert [(r["id"], r["match_rank"]) for r in rows] == [(1, 0), (5, 1)]


@pytest.mark.parametrize("params", [orders(), orders(statuses=["error"]), orders(q="#100"),
                                    orders(q="%"), listing.filter_params(2, "customer"),
                                    orders(updated_from=utc("2026-11-26 00:00"), statuses=["synced"])])
def test_count_equals_rows(con, params):
    """The total count shown equals the number of rows the list holds."""
    assert queries.scalar(con, "entity_count", **params) == len(page_ids(con, params))


def test_breakdown_counts_per_type_and_status(con):
    """Tab labels and the chart count every type and status under the search, ignoring the status filter."""
    breakdown = queries.df(con, "status_breakdown", integration=1, q="#100", updated_from=None, updated_to=None,
                           error_group=None)
    counts = listing.counts_by_type(breakdown)
    assert counts["order"] == {"synced": 2, "error": 3, "pending": 1}
    assert counts["article"] == {"synced": 0, "error": 0, "pending": 0}
    assert listing.tab_label("order", counts["order"]) == "Orders 6 · 3 errors"
    assert listing.tab_label("article", {"synced": 1, "error": 1, "pending": 0}) == "Articles 2 · 1 error"


def test_matches_elsewhere():
    """When a search finds nothing in this tab, the types that do have matches are named with their counts."""
    counts = listing.counts_by_type(pd.DataFrame({"type": ["order", "customer"], "status": ["error", "synced"],
                                                  "n": [2, 0]}))
    assert listing.matches_elsewhere(counts, "article", ["article", "customer", "order"]) == [("order", 2)]


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def independent_selection(con, integration: int, type_: str, statuses: list[str]) -> list[dict]:
    rows = con.execute(
        "select id, status, retriever_ref, storer_ref, children, last_updated, error_code, error_message, "
        "total::varchar, currency from entities where integration_id = ? and type = ? and list_contains(?, status) "
        "order by id",
        [integration, type_, statuses]).fetchall()
    return [{"id": str(r[0]), "status": r[1], "retriever_ref": r[2], "storer_ref": r[3] or "",
             "children": str(r[4]), "last_updated": r[5].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "error_code": r[6] or "", "error_message": r[7] or "", "total": r[8] or "", "currency": r[9] or ""}
            for r in rows]


def test_export_is_exactly_the_filtered_list(con):
    """Downloading the CSV of the error orders gives exactly those rows with UTC ISO-8601 times."""
    data = listing.export_csv(con, orders(statuses=["error"]), "-last_updated")
    rows = read_csv(data)
    assert list(rows[0]) == ["status", "retriever_ref", "storer_ref", "children", "total", "currency", "last_updated",
                             "error_code", "error_message", "id"]
    assert [r["id"] for r in rows] == ["4", "2", "6"]
    assert sorted(rows, key=lambda r: int(r["id"])) == independent_selection(con, 1, "order", ["error"])
    assert rows[0]["last_updated"] == "2026-11-26T10:15:00Z"


def test_export_of_nasty_reference(con):
    """A reference with quotes, percent and backslash survives the CSV round trip unchanged."""
    rows = read_csv(listing.export_csv(con, orders(q="100%_off\\quote's"), "-last_updated"))
    assert [(r["id"], r["retriever_ref"]) for r in rows] == [("7", "100%_off\\quote's")]


def test_large_export_streams_every_row(con, tmp_path):
    """Exporting 100k matching rows writes all of them, quoting messages with commas and quotes correctly."""
    queries.execute_file(con, BULK_SQL)
    params = listing.filter_params(2, "order", ["error", "synced"])
    target = tmp_path / "export.csv"
    written = listing.write_csv(con, params, "-last_updated", target)
    rows = read_csv(target.read_bytes())
    expected = independent_selection(con, 2, "order", ["error", "synced"])
    assert written == len(rows) == len(expected) == 90_002
    assert sorted(rows, key=lambda r: int(r["id"])) == expected


def test_breakdown_figure_uses_palette():
    """The status chart has one bar per status in the palette colours, carrying the status key."""
    figure = listing.breakdown_figure({"synced": 5, "error": 2})
    bar = figure.data[0]
    assert list(bar.x) == ["Synced", "Error", "Pending"]
    assert list(bar.y) == [5, 2, 0]
    assert list(bar.marker.color) == ["#1f9d55", "#d64545", "#d69e2e"]
    assert list(bar.customdata) == ["synced", "error", "pending"]


@pytest.mark.parametrize(("selection", "expected"), [
    ({"selection": {"points": [{"x": "Error", "customdata": "error"}]}}, ["error"]),
    ({"selection": {"points": [{"x": "Pending", "customdata": ["pending"]}, {"x": "Synced"}]}}, ["synced", "pending"]),
    ({"selection": {"points": []}}, []),
    (None, []),
])
def test_chart_click_picks_statuses(selection, expected):
    """Clicking bars in the status chart turns into those status filters."""
    assert listing.statuses_from_selection(selection) == expected


@pytest.mark.parametrize(("name", "type_", "expected"), [
    ("Nordic Outdoor", "order", "nordic-outdoor_orders_2026-11-26.csv"),
    ("Hem & Trädgård", "stock", "hem-tradgard_stock_2026-11-26.csv"),
    ("Baltic Home — Magento → Microsoft Dynamics 365", "article",
     "baltic-home-magento-microsoft-dynamics-365_articles_2026-11-26.csv"),
])
def test_export_filename(name, type_, expected):
    """The downloaded file is named after integration, type and date."""
    assert listing.export_filename(name, type_, date(2026, 11, 26)) == expected


def test_date_range_is_whole_local_days():
    """Picking 26–26 Nov in Stockholm covers that local day: 25 Nov 23:00 to 26 Nov 23:00 UTC."""
    start, end = listing.date_bounds(date(2026, 11, 26), date(2026, 11, 26), ZoneInfo("Europe/Stockholm"))
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (utc("2026-11-25 23:00"), utc("2026-11-26 23:00"))


@pytest.mark.parametrize("bad", ["id", "last_updated; drop table entities", "--status", ""])
def test_sort_outside_allowlist_is_refused(bad):
    """A sort parameter naming anything but a list column is refused."""
    with pytest.raises(ValueError):
        listing.parse_sort([bad])
