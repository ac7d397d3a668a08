"""Entity list helpers: URL values ↔ the entity_filter arguments, the display table, the chart, the CSV export.

No Streamlit here, so all of it is unit-testable; pages/entities_list.py wires it to widgets."""
from __future__ import annotations

import functools
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from entities.listfilter import (  # noqa: F401 - the page, bench and tests use them through here
    DEFAULT_PAGE_SIZE,
    DEFAULT_SORT,
    PAGE_SIZES,
    SORT_OPTIONS,
    date_bounds,
    dump_date,
    dump_flag,
    export_filename,
    filter_params,
    parse_date,
    parse_flag,
    parse_sort,
    slug,
    sort_idents,
    write_csv,
)
from entities.model import STATUS, STATUSES, TYPE
from entities.ui import local_time, money, relative_age
from entities.ui.charts import PreparedFigure

SORT_NAMES = {"last_updated": "Last Updated", "status": "Status", "retriever_ref": "Retriever Reference",
              "storer_ref": "Storer Reference", "children": "Children"}
SEARCH_LIMIT = 10_000
MAX_EAGER_PAGE = 100_000
COLUMNS = ("Status", "Retriever Reference", "Storer Reference", "Children", "Last Updated")
ERROR_COLUMN = "Last error"
TOTAL_COLUMN = "Total"


def sort_label(sort: str) -> str:
    column = sort.removeprefix("-")
    return f"{SORT_NAMES.get(column, column)} {'↓' if sort.startswith('-') else '↑'}"


def counts_by_type(breakdown: pd.DataFrame) -> dict[str, dict[str, int]]:
    """status_breakdown rows -> {type: {status: n}} with every status present."""
    counts = {t: dict.fromkeys(STATUS, 0) for t in TYPE}
    for row in breakdown.itertuples(index=False):
        counts.setdefault(row.type, dict.fromkeys(STATUS, 0))[row.status] = int(row.n)
    return counts


def breakdown_and_page(fetch_breakdown, fetch_page, page_no: int, thread_setup=None):
    """(status_breakdown, page page_no or None): the breakdown runs on a second thread while the page query runs,
    so opening a list or a new search waits for the slower of the two scans, not their sum (~30% less at 1M on
    2 cores). The page is fetched before the breakdown says whether page_no exists: the caller refetches when it
    clamps page_no. Absurd page numbers from a URL are not fetched (None); their offset may not even fit a bigint."""
    with ThreadPoolExecutor(max_workers=1, initializer=thread_setup) as pool:
        breakdown = pool.submit(fetch_breakdown)
        page = fetch_page(page_no) if page_no <= MAX_EAGER_PAGE else None
        return breakdown.result(), page


def tab_label(type_key: str, counts: dict[str, int]) -> str:
    """'Orders 1,204 · 37 errors'."""
    label = f"{TYPE[type_key].label} {sum(counts.values()):,}"
    errors = counts.get("error", 0)
    if errors:
        label += f" · {errors:,} error{'s' if errors != 1 else ''}"
    return label


def matches_elsewhere(counts: dict[str, dict[str, int]], current: str, enabled: list[str]) -> list[tuple[str, int]]:
    return [(t, sum(counts[t].values())) for t in enabled if t != current and sum(counts[t].values())]


def entity_url(entity_id: int) -> str:
    return f"/entity?id={int(entity_id)}"


def page_table(page: pd.DataFrame, tz: ZoneInfo, now: datetime | None = None,
               opened: datetime | None = None, totals: bool = False) -> pd.DataFrame:
    """The visible page as display columns. Retriever Reference holds '/entity?id=N#<ref>' so a LinkColumn can
    link to the detail page and show the reference (REF_DISPLAY extracts it; the frontend URI-decodes it).
    With `opened` (Live), a first column marks records created ('● new') or updated ('● changed') since then.
    With `totals` (orders), or when a row has one, a Total column shows each total with its currency as text
    ('1,234.50 SEK'): never a float, and a page of SEK and EUR orders is never added up."""
    table = pd.DataFrame({
        "Status": [[STATUS[s].label if s in STATUS else s] for s in page["status"]],
        "Retriever Reference": [f"{entity_url(i)}#{quote(ref, safe='')}"
                                for i, ref in zip(page["id"], page["retriever_ref"], strict=True)],
        "Storer Reference": page["storer_ref"].fillna("").astype(str).tolist(),
        "Children": page["children"].astype("int64").tolist(),
        TOTAL_COLUMN: [money.money(t, c) for t, c in zip(page["total"], page["currency"], strict=True)],
        "Last Updated": [f"{local_time(ts, tz)} · {relative_age(ts, now)}" for ts in page["last_updated"]],
    })
    if not totals and not any(table[TOTAL_COLUMN]):
        table = table.drop(columns=TOTAL_COLUMN)
    if (page["status"] == "error").any():
        table[ERROR_COLUMN] = [m if s == "error" and isinstance(m, str) else ""
                               for s, m in zip(page["status"], page["error_message"], strict=True)]
    if opened is not None:
        marks = [since_marker(c, u, opened) for c, u in zip(page["created_at"], page["last_updated"], strict=True)]
        if any(marks):
            table.insert(0, NEW_COLUMN, marks)
    return table


NEW_COLUMN = "New"


def since_marker(created_at, last_updated, opened: datetime) -> str:
    if created_at is not None and created_at >= opened:
        return "● new"
    if last_updated is not None and last_updated >= opened:
        return "● changed"
    return ""


REF_DISPLAY = r"^[^#]*#([\s\S]*)$"


def status_column():
    """The Status column as a coloured tag from the one status palette. A Styler did the same at about a third of
    the list page's server CPU; a column config costs nothing per row."""
    return st.column_config.MultiselectColumn(options=[s.label for s in STATUSES], color=[s.color for s in STATUSES],
                                              width="small")


def breakdown_figure(counts: dict[str, int]) -> go.Figure:
    """Bar per status (palette colours); customdata carries the status key so a click can filter by it.
    The same counts give the same figure object (read-only), so most reruns skip building it."""
    return _breakdown_figure(tuple(counts.get(s.key, 0) for s in STATUSES))


@functools.lru_cache(maxsize=256)
def _breakdown_figure(values: tuple[int, ...]) -> go.Figure:
    statuses = list(STATUSES)
    figure = go.Figure(go.Bar(
        x=[s.label for s in statuses],
        y=list(values),
        marker_color=[s.color for s in statuses],
        customdata=[s.key for s in statuses],
        text=[f"{n:,}" for n in values],
        textposition="auto",
        hovertemplate="%{x}: %{y:,}<extra>click to filter</extra>",
    ))
    figure.update_layout(height=220, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False,
                         yaxis={"title": None}, xaxis={"title": None}, clickmode="event+select", dragmode=False)
    return PreparedFigure(figure)


def statuses_from_selection(selection: dict | None) -> list[str]:
    """Status keys picked in the chart (st.plotly_chart selection state), in palette order."""
    points = ((selection or {}).get("selection") or {}).get("points") or []
    picked = set()
    for point in points:
        key = point.get("customdata")
        key = key[0] if isinstance(key, list) and key else key
        if key not in STATUS and point.get("x") in {s.label for s in STATUSES}:
            key = next(s.key for s in STATUSES if s.label == point.get("x"))
        if key in STATUS:
            picked.add(key)
    return [s for s in STATUS if s in picked]


def export_csv(con, params: dict, sort: str) -> bytes:
    """The CSV download for st.download_button(data=callable): built on click, on a cursor of its own, via a
    temporary file so no Python string of the whole list is ever built."""
    with tempfile.TemporaryDirectory(prefix="entities-export-") as folder:
        path = Path(folder) / "export.csv"
        write_csv(con.cursor(), params, sort, path)
        return path.read_bytes()
