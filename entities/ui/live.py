"""Live pages: the Live toggle kept in the URL (`live=SECONDS`, 0 = off), "N new errors since you opened this
page", and a per-session memo so a refresh with an unchanged data version rebuilds nothing.

Each page keeps its own live state (the list is off by default, the overview on), so switching pages does not
carry one page's setting to the other.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from entities import db
from entities.ui import local_time, urlstate

SHARED_ENTRIES = 64
DEFAULT_SECONDS = 10
MIN_SECONDS = 2
MAX_SECONDS = 3600
INTERVALS = (5, 10, 30, 60)


def parse_live(raw: list[str]) -> int:
    """URL value: whole seconds between refreshes, 0 = off."""
    try:
        value = int(raw[-1].strip())
    except ValueError:
        raise ValueError(f"{raw[-1]!r} is not a whole number of seconds (0 turns Live off)") from None
    if value != 0 and not MIN_SECONDS <= value <= MAX_SECONDS:
        raise ValueError(f"Live refreshes every {MIN_SECONDS} to {MAX_SECONDS:,} seconds, or 0 for off")
    return value


def _bind(page: str, default: int) -> int:
    key, seen_key = f"_live_{page}", f"_live_seen_{page}"
    raw = [v for v in st.query_params.get_all("live") if v != ""]
    if key not in st.session_state or raw != st.session_state.get(seen_key):
        try:
            st.session_state[key] = parse_live(raw) if raw else default
        except ValueError as exc:
            urlstate.notice(f"Ignored `live={','.join(raw)}` in the link: {exc}")
            st.session_state[key] = default
    value = st.session_state[key]
    dumped = [] if value == default else [str(value)]
    if dumped:
        st.query_params["live"] = dumped[0]
    elif "live" in st.query_params:
        del st.query_params["live"]
    st.session_state[seen_key] = dumped
    return value


def control(page: str, default: int, container=None) -> int:
    """Draw the Live toggle and interval for `page`; returns the refresh interval in seconds (0 = off).
    The opening time of the page (for "new since you opened") is set on the first call."""
    seconds = _bind(page, default)
    st.session_state.setdefault(f"_opened_{page}", datetime.now(UTC))
    toggle_key, interval_key = f"live_toggle_{page}", f"live_interval_{page}"
    st.session_state[toggle_key] = seconds > 0
    if seconds:
        st.session_state[interval_key] = seconds if seconds in INTERVALS else st.session_state.get(
            interval_key, seconds)

    def changed() -> None:
        on = st.session_state[toggle_key]
        every = st.session_state.get(interval_key) or DEFAULT_SECONDS
        st.session_state[f"_live_{page}"] = int(every) if on else 0

    where = container or st
    row = where.container(horizontal=True, vertical_alignment="center", gap="small")
    row.toggle("Live", key=toggle_key, on_change=changed,
               help="Refresh the figures and tables on a timer, keeping your filters, selection and scroll. "
                    "Kept in the link as live=SECONDS (0 = off).")
    if seconds:
        options = sorted({*INTERVALS, seconds})
        row.selectbox("Every", options, key=interval_key, on_change=changed, label_visibility="collapsed",
                      format_func=lambda s: f"every {s} s", width=130)
    return seconds


def opened_at(page: str) -> datetime:
    return st.session_state.setdefault(f"_opened_{page}", datetime.now(UTC))


def mark_seen(page: str) -> None:
    st.session_state[f"_opened_{page}"] = datetime.now(UTC)


def status_line(page: str, seconds: int, new_errors: int) -> str:
    """'Live · every 10 s · updated 12:00:03 · 3 new errors since you opened this page (11:52)'."""
    tz_time = local_time(datetime.now(UTC)).split(" ")[1]
    since = local_time(opened_at(page)).split(" ")[1]
    parts = [f":green[● Live] · every {seconds} s · updated {tz_time}" if seconds else "Live is off"]
    noun = "error" if new_errors == 1 else "errors"
    parts.append(f"**{new_errors:,} new {noun}** since you opened this page ({since})" if new_errors
                 else f"no new errors since you opened this page ({since})")
    return " · ".join(parts)


def memo(name: str, key: Any, build: Callable[[], Any]) -> Any:
    """build() once per (data version, key) in this session: a live refresh with unchanged data reuses the last
    result (figures, display frames) instead of rebuilding it."""
    slot = f"_memo_{name}"
    stamp = (db.data_version(), key)
    held = st.session_state.get(slot)
    if held is not None and held[0] == stamp:
        return held[1]
    value = build()
    st.session_state[slot] = (stamp, value)
    return value


_shared: OrderedDict = OrderedDict()
_shared_lock = threading.Lock()


def shared(name: str, key: Any, build: Callable[[], Any]) -> Any:
    """memo for values every session would build alike (figures, display frames of shared data): built once per
    (database, data version, key) in this process, so another session or a reload reuses it. Callers treat the
    value as read-only; the newest SHARED_ENTRIES are kept."""
    stamp = (name, db.db_path(), db.data_version(), key)
    with _shared_lock:
        if stamp in _shared:
            _shared.move_to_end(stamp)
            return _shared[stamp]
    value = build()
    with _shared_lock:
        _shared[stamp] = value
        while len(_shared) > SHARED_ENTRIES:
            _shared.popitem(last=False)
    return value
