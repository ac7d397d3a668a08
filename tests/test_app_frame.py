"""The frame: integration picker, URL-bound integration, clear database errors."""
import html

import pytest
from conftest import held_database, open_app, rerun

import queries
from entities import db


def test_picker_lists_integrations_with_platforms(app_env):
    """The user sees every integration with its retriever → storer platforms in the sidebar picker."""
    at = open_app()
    picker = at.sidebar.selectbox(key="integration")
    assert picker.options == ["Baltic Parts · Magento → Microsoft Dynamics 365 Business Central",
                      "Hem & Trädgård · WooCommerce → Visma eEkonomi",
                      "Nordic Outdoor · Shopify → Fortnox"]


@pytest.mark.parametrize(("raw", "picked", "notice"), [
    ("2", 2, False),
    ("1", 1, False),
    ("99", 3, True),
    ("abc", 3, True),
])
def test_integration_from_url(app_env, raw, picked, notice):
    """Opening ?integration=N picks that integration; an unknown id falls back with a notice."""
    at = open_app(integration=raw)
    assert at.session_state["integration"] == picked
    assert any("Ignored" in c.value for c in at.caption) == notice


def test_missing_database_shows_what_to_run(monkeypatch, tmp_path):
    """Pointing ENTITIES_DB at a missing file shows the path and the command to create one, no traceback."""
    import streamlit as st
    st.cache_resource.clear()
    missing = tmp_path / "nope.duckdb"
    monkeypatch.setenv("ENTITIES_DB", str(missing))
    at = open_app()
    assert not at.exception
    assert str(missing) in at.error[0].value
    assert "entities demo" in at.error[0].value
    assert not missing.exists()


def test_locked_database_names_the_holder(fixture_db):
    """A second process opening a database held by another gets who holds it and what to do."""
    with held_database(fixture_db) as pid, pytest.raises(db.DatabaseError) as info:
        db.connect(fixture_db)
    assert f"process {pid}" in info.value.problem
    assert "Nothing was changed" in info.value.action


def test_integrations_list_enabled_types(con):
    """Each integration lists only its enabled flow types."""
    rows = {r["name"]: r["enabled_types"] for r in queries.records(con, "integrations_list")}
    assert rows == {"Baltic Parts": [], "Hem & Trädgård": ["customer", "order"],
                    "Nordic Outdoor": ["article", "customer", "order"]}


@pytest.mark.parametrize(("ref", "links"), [
    ("F-5001", [("Order #1001 · Nordic Outdoor · Synced", "id=1"), ("Order wc-500 · Hem & Trädgård · Synced", "id=40"),
                ("Order wc-501 · Hem & Trädgård · Synced", "id=41")]),
    ("  #1002 ", [("Order #1002 · Nordic Outdoor · Error", "id=2")]),
    ("SKU-98", [("Article SKU-98 · Nordic Outdoor · Error", "id=21")]),
    ("#100", []),
    ("x' or 1=1 --", []),
])
def test_find_reference_in_every_integration(app_env, ref, links):
    """Typing a reference in the sidebar finder lists every record with exactly that reference, with links."""
    at = open_app()
    at.sidebar.text_input(key="find_ref").input(ref)
    rerun(at)
    assert not at.exception
    found = at.get("page_link")
    assert [(html.unescape(p.proto.label), p.proto.query_string) for p in found] == links
    assert all(p.proto.page == "entity" for p in found)
    assert any("No record has exactly this reference" in c.value for c in at.sidebar.caption) == (not links)
