"""The Entities list page in AppTest: URL → widgets → data, notices for bad links, empty states, drill-down."""
import html
import re
from pathlib import Path

import pytest
from conftest import ROOT, rerun
from streamlit.testing.v1 import AppTest

import queries
from entities import db

BULK_SQL = Path(__file__).with_name("fixture_list_bulk.sql")


def open_list(**params):
    """The app at `/` (the list is the default page) opened with these URL parameters."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def shown_ids(at) -> list[int]:
    if not at.dataframe:
        return []
    table = at.dataframe[0].value
    return [int(re.match(r"/entity\?id=(\d+)#", url).group(1)) for url in table["Retriever Reference"]]


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def infos(at) -> str:
    return html.unescape("\n".join(i.value for i in at.info))  # data in markdown is escaped (ui.md)


def test_url_opens_exact_state(app_env):
    """Opening ?integration=1&type=order&status=error shows the Orders tab filtered to exactly the error orders."""
    at = open_list(integration="1", type="order", status="error")
    assert not at.exception
    assert at.segmented_control(key="type").value == "order"
    assert at.multiselect(key="status").value == ["error"]
    assert shown_ids(at) == [4, 2, 6]
    assert "**3** orders" in captions(at)


def test_columns_are_the_contract(app_env):
    """The list shows Status, both references, Children, the orders' Total and Last Updated, plus the last error of
    error rows."""
    at = open_list(integration="1", type="order", status="error,pending")
    table = at.dataframe[0].value
    assert list(table.columns) == ["Status", "Retriever Reference", "Storer Reference", "Children", "Total",
                                   "Last Updated", "Last error"]
    first = table.iloc[0]
    assert (list(first["Status"]), first["Storer Reference"], first["Children"]) == (["Pending"], "", 1)
    assert first["Last Updated"].startswith("2026-11-26 11:00:00 UTC · ")
    assert first["Last Updated"].endswith(" ago")
    assert table.iloc[1]["Last error"].startswith("Rate limit exceeded")


def test_tabs_are_enabled_types_with_counts(app_env):
    """The type tabs list only enabled flows, in model order, each with its count and error count."""
    at = open_list(integration="1")
    tabs = at.segmented_control(key="type")
    assert tabs.options == ["Articles 2 · 1 error", "Customers 2", "Orders 8 · 3 errors"]
    assert tabs.value == "article"
    assert shown_ids(at) == [21, 20]


def test_default_type_is_first_enabled(app_env):
    """An integration without an article flow opens on its first enabled type."""
    at = open_list(integration="2")
    assert at.segmented_control(key="type").value == "customer"
    assert shown_ids(at) == [42]


@pytest.mark.parametrize(("params", "ids", "notice"), [
    ({"type": "bogus"}, [21, 20], "type=bogus"),
    ({"type": "stock"}, [21, 20], "type=stock"),
    ({"type": "order", "page": "-3"}, [3, 4, 2, 6, 5, 1, 7, 8], "page=-3"),
    ({"type": "order", "page": "x"}, [3, 4, 2, 6, 5, 1, 7, 8], "page=x"),
    ({"type": "order", "page": "9"}, [3, 4, 2, 6, 5, 1, 7, 8], "Page 9 does not exist"),
    ({"type": "order", "status": "nope"}, [3, 4, 2, 6, 5, 1, 7, 8], "nope"),
    ({"type": "order", "status": "error,nope"}, [4, 2, 6], "nope"),
    ({"type": "order", "sort": "id; drop table entities"}, [3, 4, 2, 6, 5, 1, 7, 8], "sort="),
    ({"type": "order", "size": "7"}, [3, 4, 2, 6, 5, 1, 7, 8], "size=7"),
    ({"type": "order", "from": "yesterday"}, [3, 4, 2, 6, 5, 1, 7, 8], "from=yesterday"),
])
def test_bad_url_values_show_a_notice(app_env, params, ids, notice):
    """A link with an unknown or malformed value shows a small notice and the list without that value."""
    at = open_list(integration="1", **params)
    assert not at.exception
    assert notice in captions(at)
    assert shown_ids(at) == ids


@pytest.mark.parametrize(("params", "ids"), [
    ({"sort": "retriever_ref"}, [1, 5, 2, 3, 4, 6, 7, 8]),
    ({"sort": "-children"}, [2, 1, 6, 3, 4, 5, 7, 8]),
    ({"from": "2026-11-26"}, [3, 4, 2, 6]),
    ({"to": "2026-11-19"}, [7, 8]),
    ({"q": "#1001"}, [1, 5]),
    ({"q": "f-5004"}, [4]),
    ({"q": "100%_off\\quote's"}, [7]),
    ({"status": ["error", "pending"]}, [3, 4, 2, 6]),
])
def test_url_filters_and_sort(app_env, params, ids):
    """Sort, date range, search and repeated status parameters in the link all apply to the list."""
    at = open_list(integration="1", type="order", **params)
    assert not at.exception
    assert shown_ids(at) == ids


def test_changing_widgets_updates_url(app_env):
    """Picking a status, a search and a sort writes them into the URL; clearing them removes them."""
    at = open_list(integration="1", type="order")
    at.multiselect(key="status").set_value(["error"])
    rerun(at)
    at.text_input(key="q").set_value("#100")
    rerun(at)
    at.selectbox(key="sort").set_value("children")
    rerun(at)
    assert (at.query_params["status"], at.query_params["q"], at.query_params["sort"]) == ("error", "#100",
                                                                                          "children")
    assert shown_ids(at) == [4, 6, 2]
    at.multiselect(key="status").set_value([])
    rerun(at)
    assert "status" not in at.query_params


def test_switching_tab_updates_url_and_data(app_env):
    """Clicking the Customers tab shows customers and puts type=customer in the URL."""
    at = open_list(integration="1", type="order")
    at.segmented_control(key="type").set_value("customer")
    rerun(at)
    assert at.query_params["type"] == "customer"
    assert shown_ids(at) == [31, 30]


def test_no_enabled_flows(app_env):
    """An integration without enabled flows explains why its list is empty."""
    at = open_list(integration="3")
    assert not at.exception
    assert "has no enabled flows" in infos(at)
    assert not at.dataframe


def test_no_rows_of_that_type(fixture_db, app_env):
    """A type whose flow is enabled but has no records yet says nothing has been synced."""
    con = db.connect(fixture_db)
    queries.execute_file(con, Path(__file__).with_name("fixture_list_flows.sql"))
    con.close()
    at = open_list(integration="1", type="stock")
    assert "No stock have been synced for **Nordic Outdoor** yet." in infos(at)


def test_search_without_match_points_elsewhere(app_env):
    """Searching an order tab for a customer number says where it matches, with a link that switches tabs."""
    at = open_list(integration="1", type="order", q="C-1002")
    assert "“C-1002”" in infos(at)
    links = [(link.value, link.proto.query_string) for link in at.get("page_link")]
    assert links == [("1 match in Customers", "integration=1&type=customer&q=C-1002")]


def test_search_without_any_match(app_env):
    """A search that matches nothing anywhere names what was searched and where."""
    at = open_list(integration="1", type="order", q="zzz-404")
    assert "No orders in **Nordic Outdoor** have a retriever or storer reference containing “zzz-404”" in infos(at)
    assert not at.get("page_link")


def test_filters_without_match_offer_to_clear(app_env):
    """Filters that exclude every row say so and offer one click to clear them."""
    at = open_list(integration="1", type="order", status="pending", q="#1001")
    assert "No orders match these filters (status: Pending, search “#1001”)" in infos(at)
    at.button(key="clear_filters").click()
    rerun(at)
    assert shown_ids(at) == [3, 4, 2, 6, 5, 1, 7, 8]
    assert "status" not in at.query_params and "q" not in at.query_params


def test_error_group_chip(app_env, con):
    """A link filtered to an error group lists that group and shows a chip that removes the filter."""
    group = con.execute("select error_group(error_message) from entities where id = 2").fetchone()[0]
    con.close()
    at = open_list(integration="1", type="order", group=group)
    assert shown_ids(at) == [2, 6]
    at.button(key="clear_group").click()
    rerun(at)
    assert shown_ids(at) == [3, 4, 2, 6, 5, 1, 7, 8]
    assert "group" not in at.query_params


def test_selected_row_links_to_detail(app_env):
    """Selecting a row offers a link to /entity?id=<id> for it."""
    at = open_list(integration="1", type="order", status="error")
    at.session_state["entity_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    rerun(at)
    links = [(html.unescape(link.value), link.proto.page, link.proto.query_string) for link in at.get("page_link")]
    assert links == [("Open #1002", "entity", "id=2")]


def test_filter_change_resets_page(fixture_db, app_env):
    """On page 3 of a long list, picking a status starts again at page 1."""
    con = db.connect(fixture_db)
    queries.execute_file(con, BULK_SQL)
    con.close()
    at = open_list(integration="2", type="order", page="3")
    assert "showing 101–150" in captions(at)
    assert at.number_input(key="page").value == 3
    at.multiselect(key="status").set_value(["error"])
    rerun(at)
    assert "**10,000** orders · showing 1–50 · page 1 of 200" in captions(at)
    assert "page" not in at.query_params
