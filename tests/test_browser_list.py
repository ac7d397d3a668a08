"""In a real browser: search a reference, filter by status and download the CSV, open a row's detail page."""
import csv
import io
import re
from datetime import UTC

import pytest
from conftest import settled
from playwright.sync_api import expect

from entities import db

pytestmark = pytest.mark.browser


def cell(page, column: int, row: int) -> str:
    """Text of a st.dataframe cell from the grid's accessible table (column 0 is the row-selection column)."""
    return page.get_by_test_id(f"glide-cell-{column}-{row}").text_content()


def test_search_storer_reference(server_factory, fixture_db, page):
    """Typing a storer reference into the search box and pressing Enter shows that one order."""
    server = server_factory(fixture_db)
    page.goto(f"{server.url}/?integration=1&type=order")
    page.get_by_text("8 orders · showing 1–8").wait_for()
    settled(page)
    search = page.get_by_role("textbox", name="Search references")
    search.fill("f-5004")
    search.press("Enter")
    page.get_by_text("1 order · showing 1–1").wait_for()
    expect(page.get_by_test_id("glide-cell-3-0")).to_have_text("F-5004")  # the grid repaints after the caption
    assert (cell(page, 1, 0), cell(page, 3, 0)) == ("Error", "F-5004")
    assert cell(page, 2, 0).startswith("/entity?id=4#")
    assert "q=f-5004" in page.url


def independent_error_orders(path) -> list[dict]:
    con = db.connect(path, read_only=True)
    try:
        rows = con.execute("select id, status, retriever_ref, storer_ref, children, last_updated, error_code, "
                           "error_message, total, currency from entities where integration_id = 1 and type = 'order' "
                           "and status = 'error' order by id").fetchall()
    finally:
        con.close()
    return [{"id": str(r[0]), "status": r[1], "retriever_ref": r[2], "storer_ref": r[3] or "", "children": str(r[4]),
             "last_updated": r[5].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "error_code": r[6] or "",
             "error_message": r[7] or "", "total": "" if r[8] is None else f"{r[8]:.2f}", "currency": r[9] or ""}
            for r in rows]


def test_status_filter_then_csv_download(server_factory, fixture_db, page):
    """Picking the Error status and downloading the CSV gives exactly the error orders, every column."""
    server = server_factory(fixture_db)
    page.goto(f"{server.url}/?integration=1&type=order")
    page.get_by_text("8 orders · showing 1–8").wait_for()
    settled(page)
    page.get_by_test_id("stMultiSelect").click()
    page.get_by_role("option", name="Error").click()
    page.keyboard.press("Escape")  # close the status dropdown
    page.get_by_text("3 orders · showing 1–3").wait_for()
    settled(page)
    assert "status=error" in page.url
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("nordic-outdoor_orders_")
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert [r["id"] for r in rows] == ["4", "2", "6"]
    assert sorted(rows, key=lambda r: int(r["id"])) == independent_error_orders(fixture_db)


def test_selected_row_opens_detail(server_factory, fixture_db, page):
    """Ticking a row's checkbox and following its Open link lands on /entity?id=<that row's id>."""
    server = server_factory(fixture_db)
    page.goto(f"{server.url}/?integration=1&type=order&status=error")
    page.get_by_text("3 orders · showing 1–3").wait_for()
    settled(page)
    expect(page.get_by_test_id("glide-cell-2-1")).to_have_text(re.compile(r"^/entity\?id=2#"))
    grid = page.get_by_test_id("data-grid-canvas").bounding_box()
    row_height = grid["height"] / 4  # header + three rows
    page.mouse.click(grid["x"] + 16, grid["y"] + row_height * 2.5)  # the second data row: #1002
    link = page.get_by_role("link", name="Open #1002")
    link.wait_for()
    link.click()
    # the detail page then publishes the integration it follows (&integration=1), as soon as its rerun ends
    page.wait_for_url(re.compile(r"/entity\?id=2(&integration=1)?$"))
