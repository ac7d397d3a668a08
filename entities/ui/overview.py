"""Overview helpers: time windows, headline figures, error-rate charts and the tables' display frames.

No Streamlit here, so it is unit-testable; pages/overview.py wires it to widgets."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go

from entities.model import TYPE
from entities.ui import md, relative_age, urlstate

DEFAULT_STUCK_MINUTES = 60
MAX_STUCK_MINUTES = 7 * 24 * 60
ERROR_RATE_AXIS = "Failed (%)"
ERROR_RATE_NOTE = ("Share of the records whose latest sync fell in that hour or day that are in error now; "
                   "pending records have no result yet and are left out.")


@dataclass(frozen=True)
class Window:
    key: str
    label: str
    bucket_seconds: int  # UTC buckets: 3600 hourly, 86400 daily
    length: timedelta

    @property
    def hourly(self) -> bool:
        return self.bucket_seconds == 3600


WINDOWS = {w.key: w for w in (
    Window("48h", "Last 48 hours (hourly)", 3600, timedelta(hours=48)),
    Window("7d", "Last 7 days (daily)", 86400, timedelta(days=7)),
    Window("30d", "Last 30 days (daily)", 86400, timedelta(days=30)),
    Window("90d", "Last 90 days (daily)", 86400, timedelta(days=90)),
)}
DEFAULT_WINDOW = "30d"


def parse_stuck_minutes(raw: list[str]) -> int:
    """URL value of the stuck threshold: whole minutes, 1 to a week."""
    value = urlstate.positive_int(raw)
    if value > MAX_STUCK_MINUTES:
        raise ValueError(f"must be at most {MAX_STUCK_MINUTES:,} minutes (a week)")
    return value


def window_since(window: Window, now: datetime) -> datetime:
    """Start of the window, aligned to its bucket so the first bucket is whole."""
    start = now - window.length
    if window.hourly:
        return start.replace(minute=0, second=0, microsecond=0)
    return start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def headline(row: dict, now: datetime) -> list[tuple[str, str, str]]:
    """(label, value, help) for st.metric, from overview_headline's row."""
    oldest = row.get("oldest_error_at")
    if oldest is not None and pd.isna(oldest):
        oldest = None
    return [
        ("Records", f"{row['records']:,}", "All synced records in scope."),
        ("Error rate", f"{row['error_pct']:.1f} %", f"{row['errors']:,} records whose last sync failed."),
        ("Pending", f"{row['pending']:,}", "Queued, not yet processed."),
        ("Stuck pending", f"{row['stuck']:,}", "Pending for longer than the threshold."),
        ("Oldest open error", relative_age(oldest, now).removesuffix(" ago") if oldest else "none",
         "Time since the longest-failing record last failed."),
    ]


def error_rate_frame(df: pd.DataFrame, by: str, window: Window, tz: ZoneInfo) -> pd.DataFrame:
    """Sum overview_error_rate rows per bucket and `by` ('integration' or 'type'); adds error_rate in %.

    Hours are shown in the viewer's timezone; days are UTC days, shown as dates."""
    if df.empty:
        return pd.DataFrame(columns=["bucket", by, "records", "errors", "error_rate"])
    grouped = df.groupby(["bucket_start", by], as_index=False)[["records", "errors"]].sum()
    grouped["error_rate"] = (100.0 * grouped["errors"] / grouped["records"]).round(2)
    starts = pd.to_datetime(grouped["bucket_start"], utc=True)
    grouped["bucket"] = starts.dt.tz_convert(tz) if window.hourly else starts.dt.tz_localize(None).dt.normalize()
    if by == "type":
        grouped["type"] = grouped["type"].map(lambda t: TYPE[t].label if t in TYPE else t)
    else:  # demo names repeat the platforms ("Nordic Outdoor — Shopify → Fortnox"); the legend needs the name
        grouped["integration"] = grouped["integration"].map(lambda n: n.split(" — ")[0])
    grouped[by] = grouped[by].map(md)  # legend and hover text: Plotly reads <b>, <a href> in names as markup
    return grouped.drop(columns="bucket_start").sort_values(["bucket", by])


def error_rate_chart(frame: pd.DataFrame, by: str, window: Window, title: str) -> go.Figure:
    """Line chart of the error rate per bucket, one line per integration or type. Built from graph_objects traces:
    plotly.express cost about three times the CPU for the same figure, on every overview run."""
    hover = ("%{x}<br>%{y:.1f} % failed (%{customdata[0]:,} of %{customdata[1]:,})<extra>%{fullData.name}</extra>")
    fig = go.Figure([
        go.Scatter(x=part["bucket"], y=part["error_rate"], name=str(name), legendgroup=str(name),
                   mode="lines" if window.hourly else "lines+markers", hovertemplate=hover,
                   customdata=part[["errors", "records"]].to_numpy())
        for name, part in frame.groupby(by, sort=False)
    ])
    fig.update_layout(title=title, height=420, margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.3, "title": None},
                      xaxis={"title": "Hour" if window.hourly else "Day (UTC)"},
                      yaxis={"rangemode": "tozero", "ticksuffix": " %", "title": ERROR_RATE_AXIS})
    return fig


def list_link(integration_id: int, type_: str | None = None, status: str | None = "error",
              error_group: str | None = None) -> str:
    """Relative URL of the entity list filtered to an integration (and type, status, error group)."""
    params = {"integration": int(integration_id)}
    if type_:
        params["type"] = type_
    if status:
        params["status"] = status
    if error_group:
        params["group"] = error_group
    return "/?" + urlencode(params)


def duration(minutes: float | None) -> str:
    """'45 min', '3 h 20 min', '2 d 4 h'."""
    if minutes is None or pd.isna(minutes):
        return ""
    minutes = int(minutes)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h" + (f" {minutes % 60} min" if minutes % 60 else "")
    return f"{minutes // 1440} d" + (f" {minutes // 60 % 24} h" if minutes // 60 % 24 else "")


def stale_line(flow: dict) -> str:
    """Markdown for one stale flow (names escaped by the caller's md)."""
    since = ("has never synced successfully" if pd.isna(flow["last_success_at"])
             else f"no successful sync for **{duration(flow['minutes_since_success'])}**")
    return f"{since} (stale after {duration(flow['threshold_minutes'])}, {BASIS_TEXT[flow['basis']]})"


BASIS_TEXT = {"override": "set by an operator", "history": "2 × its usual interval",
              "minimum": "the 15-minute minimum"}


def freshness_frame(flows: pd.DataFrame, tz: ZoneInfo) -> pd.DataFrame:
    """flow_freshness rows as display columns, with a link to each flow's records."""
    frame = pd.DataFrame({
        "State": [["Disabled" if not e else ("Stale" if s else "Fresh")]
                  for e, s in zip(flows["enabled"], flows["stale"], strict=True)],
        "Integration": flows["integration"],
        "Type": [TYPE[t].label if t in TYPE else t for t in flows["type"]],
        "Last success": pd.to_datetime(flows["last_success_at"], utc=True).dt.tz_convert(tz),
        "Since": [duration(m) if pd.notna(m) else "never" for m in flows["minutes_since_success"]],
        "Usual interval": [duration(m) if pd.notna(m) else "no history" for m in flows["usual_gap_minutes"]],
        "Stale after": [f"{duration(t)} ({BASIS_TEXT[b]})" for t, b in zip(flows["threshold_minutes"],
                                                                           flows["basis"], strict=True)],
        "Records": [list_link(i, t, None) for i, t in zip(flows["integration_id"], flows["type"], strict=True)],
    })
    return frame


FRESHNESS_COLORS = {"Stale": "#d64545", "Fresh": "#1f9d55", "Disabled": "#718096"}


def since_markers(first_seen: pd.Series, last_seen: pd.Series, opened: datetime) -> list[str]:
    """'● new group' / '● new errors' for groups that appeared or failed again since the page was opened."""
    new_group = (first_seen >= opened).fillna(False).to_numpy(dtype=bool)
    new_errors = (last_seen >= opened).fillna(False).to_numpy(dtype=bool)
    return ["● new group" if g else "● new errors" if e else "" for g, e in zip(new_group, new_errors, strict=True)]
