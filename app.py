"""Frame and router: page config, the database connection, the integration picker, navigation."""
import streamlit as st

from entities import ui
from entities.db import DatabaseError
from entities.model import TYPE
from entities.ui import urlstate

st.set_page_config(page_title="Junipeer Entities", page_icon="🔁", layout="wide")


def integration_picker(page) -> None:
    integrations = ui.query_df("integrations_list")
    if integrations.empty:
        st.sidebar.warning("This database has no integrations yet. Load data with `entities import` "
                           "or `entities demo`.")
        return
    by_id = {int(row.id): row for row in integrations.itertuples()}
    ids = list(by_id)
    urlstate.bind("integration", parse=urlstate.one_of(ids, int), dump=urlstate.dump_one, default=ids[0])
    followed = ui.followed_integration() if page.url_path == "entity" else None
    if followed in by_id:
        st.session_state["integration"] = followed
        urlstate.publish("integration", followed, urlstate.dump_one, ids[0])
    st.sidebar.selectbox(
        "Integration",
        ids,
        key="integration",
        format_func=lambda i: f"{by_id[i].name} · {by_id[i].retriever} → {by_id[i].storer}",
        help="The retriever → storer platform pair whose records you see.",
    )
    picked = by_id[st.session_state["integration"]]
    st.sidebar.caption(f"Retriever **{ui.md(picked.retriever)}** → Storer **{ui.md(picked.storer)}**")


def reference_finder() -> None:
    """Job 2 of the product: a customer names an order number; find it without knowing integration or type."""
    ref = st.sidebar.text_input("Find a reference", key="find_ref", placeholder="e.g. #1001 or F-5004",
                                help="Exact retriever or storer reference, in every integration and type.").strip()
    if not ref:
        return
    found = ui.query_df("entity_lookup", ref=ref[:1000])
    if found.empty:
        st.sidebar.caption("No record has exactly this reference. The list's search also finds partial matches.")
        return
    integrations = ui.query_df("integrations_list")
    names = dict(zip(integrations["id"], integrations["name"], strict=True))
    for row in found.head(10).itertuples():
        st.sidebar.page_link("pages/entity.py", query_params={"id": int(row.id)}, icon=":material/open_in_new:",
                             label=f"{TYPE[row.type].singular} {ui.md(row.retriever_ref)} · "
                                   f"{ui.md(names.get(row.integration_id))} · {ui.status_label(row.status)}")
    if len(found) > 10:
        st.sidebar.caption(f"and {len(found) - 10:,} more")


def sign_in_screen() -> None:
    """Signed-out visitors see only this (HTTP would say 401): nothing from the database."""
    st.title("Junipeer Entities")
    st.markdown("Sign in to see the records synced between your shops and ERPs.")
    if st.button("Sign in", key="sign_in", type="primary", icon=":material/login:"):
        st.login()
    st.stop()


def no_role_screen(me) -> None:
    """Signed in, but no rule gives this person a role (HTTP would say 403)."""
    st.title("Junipeer Entities")
    st.error(f"You are signed in as {ui.md(me.name)}, but no role rule gives this account access. "
             "Ask an admin to add your email, domain or group on the Admin page.", icon=":material/block:")
    if st.button("Sign out", key="sign_out_no_role", icon=":material/logout:"):
        st.logout()
    st.stop()


def who_am_i(me) -> None:
    if me.kind == "local":
        st.info("**Local mode: no sign-in.** You are the local admin; the app serves on 127.0.0.1 only. "
                "Configure sign-in (README, Sign-in) before sharing it.", icon=":material/lock_open:")
        return
    if not ui.auth_configured():
        st.info("**Read-only: no sign-in** (`--allow-anonymous`). Nobody can retry or change anything here.",
                icon=":material/visibility:")
        return
    st.sidebar.caption(f"Signed in as **{ui.md(me.name)}** · {me.role}")
    if st.sidebar.button("Sign out", key="sign_out", icon=":material/logout:"):
        st.logout()


if ui.auth_configured() and not st.user.is_logged_in:
    sign_in_screen()
try:
    ui.connection()
except DatabaseError as exc:
    st.title("Junipeer Entities")
    ui.show_db_error(exc)
    st.stop()
me = ui.principal()
if not me.role:
    no_role_screen(me)

ui.fault_banner()
# Before the sidebar's widgets (the menu is drawn above them anyway), so the picker can follow the detail page's entity
page = st.navigation([
    st.Page("pages/entities_list.py", title="Entities", icon=":material/table_rows:", default=True),
    st.Page("pages/entity.py", title="Entity", icon=":material/description:", url_path="entity",
            visibility="hidden"),
    st.Page("pages/overview.py", title="Overview", icon=":material/monitoring:", url_path="overview"),
    st.Page("pages/references.py", title="References", icon=":material/link:", url_path="references"),
    st.Page("pages/audit.py", title="Audit", icon=":material/history:", url_path="audit"),
    st.Page("pages/admin.py", title="Admin", icon=":material/admin_panel_settings:", url_path="admin",
            visibility="visible" if me.can("roles") else "hidden"),
    st.Page("pages/alerts.py", title="Alerts", icon=":material/notifications:", url_path="alerts"),
])
ui.run_guarded(lambda: integration_picker(page))
ui.run_guarded(reference_finder)
who_am_i(me)
ui.run_guarded(page.run)
