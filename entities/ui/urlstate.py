"""URL-bound state. The URL is the truth when it changes from outside (a shared link); otherwise widgets write
their values back to it. Invalid values are dropped with a notice, never an error."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st

from entities.listfilter import one_of, positive_int, split_many  # noqa: F401 - shared with the API

_SEEN = "_url_seen"


def _url(key: str) -> list[str]:
    return [v for v in st.query_params.get_all(key) if v != ""]


def bind(key: str, *, parse: Callable[[list[str]], Any], dump: Callable[[Any], list[str]], default: Any) -> Any:
    """Call before drawing the widget with this key. Returns the value the widget will show.

    parse turns the URL's raw values into a value or raises ValueError with a user-facing reason."""
    seen = st.session_state.setdefault(_SEEN, {})
    raw = _url(key)
    if key in st.session_state and raw == seen.get(key):
        value = st.session_state[key]
    else:
        try:
            value = parse(raw) if raw else default
        except ValueError as exc:
            notice(f"Ignored {key}={','.join(raw)} in the link: {exc}")
            value = default
        st.session_state[key] = value
    publish(key, value, dump, default)
    return value


def publish(key: str, value: Any, dump: Callable[[Any], list[str]], default: Any) -> None:
    raw = [] if value == default or value is None else dump(value)
    if raw:
        st.query_params[key] = raw if len(raw) > 1 else raw[0]
    elif key in st.query_params:
        del st.query_params[key]
    st.session_state.setdefault(_SEEN, {})[key] = raw


def notice(text: str) -> None:
    """A small warning where the URL was read, which is at the top of the page."""
    from entities.ui import md  # the link's values are anyone's text

    st.caption(f":orange[⚠] {md(text)}")


# Parsers shared by pages (and, from entities.listfilter, with the API): raw URL values -> a value or ValueError.

def many_of(allowed: Iterable[str]) -> Callable[[list[str]], list[str]]:
    """Repeatable or comma-separated values; unknown ones are dropped with a notice, order follows `allowed`.
    (The API's listfilter.all_of refuses them instead.)"""
    allowed = list(allowed)

    def parse(raw: list[str]) -> list[str]:
        given = split_many(raw)
        unknown = given - set(allowed)
        if unknown:
            notice(f"Ignored unknown value(s) {', '.join(sorted(unknown))}; allowed: {', '.join(allowed)}")
        return [a for a in allowed if a in given]

    return parse


def text(limit: int = 10_000) -> Callable[[list[str]], str]:
    def parse(raw: list[str]) -> str:
        return raw[-1][:limit]

    return parse


def dump_one(value: Any) -> list[str]:
    return [str(value)]


def dump_many(values: list[str]) -> list[str]:
    return [",".join(values)] if values else []
