"""UI helpers shared by pages: the connection, cached queries, status badges and viewer-local times."""
from __future__ import annotations

import functools
import html
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

import queries
from entities import db
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
    st.error(f"**{_md(exc.problem)}**\n\nDatabase path: `{exc.path}`\n\n{exc.browser_action}", icon="🛑")


def _md(text: str) -> str:
    """Error text from DuckDB or the filesystem shown literally inside Markdown."""
    return "".join(f"\\{c}" if c in "\\`*_{}[]<>()#+-.!|~$" else c for c in text)


def write_block() -> str | None:
    """Why writes (retry buttons, changes) are disabled now, for a button's help text; None when they work."""
    reason = db.read_only_reason()
    if reason is None:
        return None
    kind = "The database file is damaged" if isinstance(reason, db.Damaged) else "Read-only mode"
    return f"{kind}: {reason.problem}. Retries and other changes are disabled until this is fixed."


def fault_banner() -> None:
    """The banner on every page while the database is read-only or damaged, and a one-time migration notice."""
    path = str(Path(db.db_path()).resolve())
    note = db.migrations_done.get(path)
    if note and not st.session_state.get("_migration_seen"):
        st.session_state["_migration_seen"] = True
        st.info(note + ".", icon=":material/upgrade:")
    reason = db.read_only_reason()
    if reason is None:
        return
    if isinstance(reason, db.Damaged):
        st.error(f"**The database file is damaged.** {_md(reason.problem)}.\n\nWhat still reads is shown; retries "
                 f"and other changes are disabled. {_backup_pointer()}", icon=":material/broken_image:")
    else:
        st.warning(f"**Read-only mode.** {_md(reason.problem)}.\n\n{_md(reason.browser_action)}",
                   icon=":material/lock:")
    _watch_mode(db.generation())


def _backup_pointer() -> str:
    folder = os.environ.get("ENTITIES_BACKUP_DIR", "").strip()
    where = (f"Backups of this app are in `{folder}` (ENTITIES_BACKUP_DIR)." if folder else
             "This app makes no daily backups (ENTITIES_BACKUP_DIR is not set); use your latest `entities backup`.")
    return (f"{where} To see what is affected, stop the app and run `entities check --db {db.db_path()}`; to "
            "restore, follow README › Backups and restore.")


@st.fragment(run_every=2)
def _watch_mode(shown_generation: int) -> None:
    """While read-only: redraw the page as soon as the app has reopened the database (writable again)."""
    if db.generation() != shown_generation:
        st.rerun(scope="app")


def run_guarded(page_run) -> None:
    """Run a page; a database fault (damaged block, refused write, unreadable file) becomes a message, never a
    traceback, and a damaged block or a refused write switches the app to read-only mode with its banner."""
    try:
        page_run()
    except db.DatabaseError as exc:
        show_db_error(exc)
    except duckdb.Error as exc:
        before = db.generation()
        problem = db.note_fault(exc)
        if problem is None:
            st.error(f"**This page could not be read from the database.** {_md(' '.join(str(exc).split())[:300])}"
                     "\n\nReload the page; if it persists, run `entities check` on the database.", icon="🛑")
            return
        clear_cache()
        if db.generation() != before:
            st.rerun()  # draw the page again under the new banner; the damage is known now, so this runs once
        show_db_error(problem)


def guarded(fragment):
    """run_guarded for a fragment, whose own reruns do not pass through the page."""
    @functools.wraps(fragment)
    def run(*args, **kwargs):
        run_guarded(lambda: fragment(*args, **kwargs))
    return run


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
