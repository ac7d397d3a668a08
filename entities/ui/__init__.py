"""UI helpers shared by pages: the connection, cached queries, status badges and viewer-local times."""
from __future__ import annotations

import functools
import html
import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

import queries
from entities import db
from entities.identity import ACTIONS, LOCAL_ADMIN, Principal
from entities.model import STATUS, TYPE
from entities.web import roles, signin

QUERY_TTL_SECONDS = 60
ANONYMOUS = Principal("anonymous (read-only)", kind="user", role="viewer")
SIGNED_OUT = Principal("not signed in", kind="user", role="")


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
    st.error(f"**{md(exc.problem)}**\n\nDatabase path: `{exc.path}`\n\n{exc.browser_action}", icon="🛑")


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
        st.error(f"**The database file is damaged.** {md(reason.problem)}.\n\nWhat still reads is shown; retries "
                 f"and other changes are disabled. {_backup_pointer()}", icon=":material/broken_image:")
    else:
        st.warning(f"**Read-only mode.** {md(reason.problem)}.\n\n{md(reason.browser_action)}",
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
            st.error(f"**This page could not be read from the database.** {md(' '.join(str(exc).split())[:300])}"
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


_MARKUP = re.compile(r"[\\`*_\[\]<>&$~|!:]|^\s*[#+=-]|^\s*\d+(?=[.)])")
_AUTOLINK = re.compile(r"(?=[@:])|(?<=www)(?=\.)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def md(value) -> str:
    """A value from data as literal text in anything Streamlit renders as markdown (st.markdown, captions, st.info
    and other alert bodies, labels of buttons, tabs and page links, help tooltips, progress text) and in Plotly
    labels and hover text. The characters markdown, HTML or Plotly could read as markup (emphasis, links, images,
    HTML, entities, LaTeX, colours, a leading heading or list marker) become numeric character references, which
    render as that character and never as syntax. Streamlit turns emails, http(s):// and www. in decoded text into
    links, and :name: into icons, so an invisible word joiner goes before every @ and : and after www.
    Not for widgets that show plain text (selectbox options, st.text, st.code, dataframes)."""
    text = " ".join(str("" if value is None else value).splitlines())
    text = _AUTOLINK.sub(WORD_JOINER, text)
    return _MARKUP.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group()), text)


def status_label(key: str) -> str:
    return STATUS[key].label if key in STATUS else key


def status_badge(key: str) -> str:
    """HTML badge for st.markdown(unsafe_allow_html=True); colour from the one status palette."""
    status = STATUS.get(key)
    color = status.color if status else "#718096"
    label = html.escape(status.label if status else key)
    return (f'<span style="background:{color};color:white;border-radius:0.6rem;padding:0.1rem 0.6rem;'
            f'font-size:0.85rem;font-weight:600">{label}</span>')


def pill_column(label: str, colors: dict[str, str], labels: dict[str, str] | None = None):
    """A read-only coloured label column (cells hold a one-item list): drawn by the browser, so a rerun does not
    pay for a pandas Styler (one was about half the detail page's script time)."""
    return st.column_config.MultiselectColumn(label, options=list(colors), color=list(colors.values()),
                                              format_func=(labels or {}).get if labels else None, width="small")


def type_label(key: str) -> str:
    return TYPE[key].label if key in TYPE else key


def requested_entity_id() -> tuple[str, int | None]:
    """The detail page's `id` from the URL: (the raw text, the id or None when it is not a valid one)."""
    raw = st.query_params.get("id", "")
    try:
        value = int(raw.strip())
    except ValueError:
        return raw, None
    return raw, value if 0 < value < 2**63 else None


def followed_integration() -> int | None:
    """For the detail page: the viewed entity's integration, once per entity, so the sidebar picker shows it (the
    picker stays where the user puts it afterwards). Known before the picker is drawn, so no second script run."""
    entity_id = requested_entity_id()[1]
    if entity_id is None or st.session_state.get("_followed_entity") == entity_id:
        return None
    found = queries.rows(cursor(), "entity_integration", entity_id=entity_id)
    if not found:
        return None
    st.session_state["_followed_entity"] = entity_id
    return found[0][0]


def auth_configured() -> bool:
    """Whether sign-in is configured ([auth] in secrets.toml or ENTITIES_OIDC_*, which asgi.py turns into secrets)."""
    from streamlit.runtime.secrets import secrets_singleton

    return bool(secrets_singleton.load_if_toml_exists() and secrets_singleton.get("auth"))


def _secrets_roles():
    from streamlit.runtime.secrets import secrets_singleton

    return secrets_singleton.get("roles") if secrets_singleton.load_if_toml_exists() else None


def principal() -> Principal:
    """Who this session is: the signed-in person with the role the rules give (role "" = none), or, without
    sign-in, the local admin (served on 127.0.0.1 only) or, with --allow-anonymous, a read-only viewer."""
    if not auth_configured():
        if signin.anonymous():
            return ANONYMOUS
        name = os.environ.get("ENTITIES_ACTOR")
        return Principal(name, kind="local", role="admin") if name else LOCAL_ADMIN
    if not st.user.is_logged_in:
        return SIGNED_OUT
    return roles.principal_for(st.user.to_dict(), [*configured_rules(), *stored_rules()])


def configured_rules() -> list[roles.Rule]:
    try:
        return roles.configured_rules(os.environ, _secrets_roles())
    except ValueError as exc:  # `entities serve` checks this before starting; this covers a bare `streamlit run`
        st.error(f"The role configuration is invalid: {md(exc)}", icon=":material/block:")
        st.stop()


def forbidden(principal_: Principal, action: str) -> None:
    """Stop the page unless the principal may do action (a page's 403)."""
    why = refusal(principal_, action)
    if why:
        st.error(f"Not allowed (403): {why}", icon=":material/block:")
        st.stop()


def stored_rules() -> list[roles.Rule]:
    return [roles.Rule(r.pattern, r.role, "admin page") for r in query_frame("role_rules_list").itertuples()]


def refusal(principal_: Principal, action: str) -> str | None:
    """Why this principal may not do action (a tooltip for a disabled button), or None when it may."""
    if principal_.can(action):
        return None
    return f"Needs the {ACTIONS.get(action, '?')} role; you are {principal_.role or 'without a role'}."
