"""UI helpers shared by pages: the connection, cached queries, status badges and viewer-local times."""
from __future__ import annotations

import html
import os
import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

import queries
from entities import db
from entities.identity import LOCAL_ADMIN, Principal
from entities.model import STATUS, TYPE

QUERY_TTL_SECONDS = 60
DEFAULT_ACTOR = "ops@junipeer (local)"


def _connection(path: str):
    return db.shared(path)


def connection():
    """The app's one read-write connection for ENTITIES_DB (raises db.DatabaseError with a readable message)."""
    return _connection(db.db_path())


def cursor():
    """A cursor of its own for this script run: DuckDB connections are not shared across threads."""
    return connection().cursor()


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def _cached(path: str, name: str, idents: tuple | None, params: tuple, small: bool = False, version: int = 0):
    fetch = queries.frame if small else queries.df
    return fetch(_connection(path).cursor(), name, dict(idents) if idents else None, **dict(params))


def _cache_key(idents: dict | None, params: dict) -> tuple:
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return db.db_path(), tuple(sorted(idents.items())) if idents else None, frozen


def query_df(name: str, idents: dict | None = None, **params):
    """A named query's result as a DataFrame, cached for a minute or until the next write (the data version)."""
    path, idents_key, frozen = _cache_key(idents, params)
    return _cached(path, name, idents_key, frozen, version=db.data_version())


def query_frame(name: str, idents: dict | None = None, **params):
    """query_df for a few rows (queries.frame): the same cache, without .df()'s fixed cost."""
    path, idents_key, frozen = _cache_key(idents, params)
    return _cached(path, name, idents_key, frozen, small=True, version=db.data_version())


def share_run_context():
    """A thread initializer giving a helper thread this script run's context (caches, session) without warnings."""
    ctx = get_script_run_ctx()
    return lambda: add_script_run_ctx(threading.current_thread(), ctx)


def clear_cache() -> None:
    _cached.clear()


def show_db_error(exc: db.DatabaseError) -> None:
    st.error(f"**{exc.problem}**\n\nDatabase path: `{exc.path}`\n\n{exc.action}", icon="🛑")


def viewer_tz() -> ZoneInfo:
    try:
        return ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(ts: datetime | None, tz: ZoneInfo | None = None) -> str:
    if ts is None:
        return ""
    return ts.astimezone(tz or viewer_tz()).strftime("%Y-%m-%d %H:%M:%S %Z")


def relative_age(ts: datetime | None, now: datetime | None = None) -> str:
    if ts is None:
        return ""
    seconds = ((now or datetime.now(UTC)) - ts).total_seconds()
    if seconds < 0:
        return "in the future"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now"


def status_label(key: str) -> str:
    return STATUS[key].label if key in STATUS else key


def status_badge(key: str) -> str:
    """HTML badge for st.markdown(unsafe_allow_html=True); colour from the one status palette."""
    status = STATUS.get(key)
    color = status.color if status else "#718096"
    label = html.escape(status.label if status else key)
    return (f'<span style="background:{color};color:white;border-radius:0.6rem;padding:0.1rem 0.6rem;'
            f'font-size:0.85rem;font-weight:600">{label}</span>')


def type_label(key: str) -> str:
    return TYPE[key].label if key in TYPE else key


def follow_integration(entity_id: int, integration_id: int) -> None:
    """Make the sidebar picker show the viewed entity's integration, once per entity: the picker is drawn
    before the page, so the change is applied by app.py on one rerun."""
    if st.session_state.get("_followed_entity") == entity_id:
        return
    st.session_state["_followed_entity"] = entity_id
    if st.session_state.get("integration") != integration_id:
        st.session_state["_follow_integration"] = integration_id
        st.rerun()


def apply_followed_integration() -> None:
    if "_follow_integration" in st.session_state:
        st.session_state["integration"] = st.session_state.pop("_follow_integration")


def actor() -> str:
    """Who a retry is recorded as: the signed-in user's email, else ENTITIES_ACTOR, else the local default."""
    try:
        if st.user.is_logged_in and st.user.get("email"):
            return str(st.user["email"])
    except Exception:  # noqa: BLE001 - auth not configured: fall back to the local actor
        pass
    return os.environ.get("ENTITIES_ACTOR") or DEFAULT_ACTOR


def principal() -> Principal:
    """Who is acting in this session; the domain functions check its role. Local mode until sign-in lands."""
    return LOCAL_ADMIN
