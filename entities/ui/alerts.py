"""Helpers for the /alerts page: uncached reads of the small alert tables, display frames, the rule editor."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

import queries
from entities import ui
from entities.model import ALERT_KIND, ALERT_KINDS, TYPE, TYPE_KEYS
from entities.watch import evaluator, rules

VIEWS = {"rules": "Rules", "history": "History", "channels": "Channels"}
SNOOZES = {"1h": timedelta(hours=1), "4h": timedelta(hours=4), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
STATE_LABELS = {"ok": "OK", "pending": "Pending", "firing": "FIRING"}
FIELD_HELP = {
    "window": "Minutes before now that the value looks at (1 to 10080).",
    "min_volume": "Error rate/count: no data (no firing) below this many transactions in the window. "
                  "Spike: a group needs at least this many errors in the window.",
    "age": "Stuck pending: count records pending longer than this many minutes.",
    "group": "Error group (the normalised message shown on the overview); empty = any group.",
}
# The alert tables are small and change on every evaluation without a data-version bump: read them uncached.
def rules_frame() -> pd.DataFrame:
    return queries.frame(ui.cursor(), "alert_rules_list")


def channels_frame() -> pd.DataFrame:
    return queries.frame(ui.cursor(), "alert_channels_list")


def history_frame(rule_id: int | None, limit: int = 200) -> pd.DataFrame:
    return queries.frame(ui.cursor(), "alert_events_page", rule_id=rule_id, limit=limit)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None (not NaN/NaT) where a value is missing."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


TABLE_LINKS = {"records": st.column_config.LinkColumn("Records", display_text="open"),
               "link": st.column_config.LinkColumn("Rule", display_text="edit")}


def number(value) -> str:
    return "no data" if value is None or pd.isna(value) else f"{value:g}"


def rules_table(frame: pd.DataFrame) -> pd.DataFrame:
    tz = ui.viewer_tz()
    now = datetime.now(UTC)
    rows = records(frame)
    out = pd.DataFrame({
        "state": [_state_text(r, now) for r in rows],
        "name": frame["name"],
        "kind": [ALERT_KIND[k].label if k in ALERT_KIND else k for k in frame["kind"]],
        "scope": [evaluator.scope_text(r) for r in rows],
        "value": [number(v) for v in frame["value"]],
        "threshold": [f"≥ {t:g} (resolves < {r:g})" for t, r in zip(frame["threshold"],
                                                                     frame["recovery_threshold"], strict=True)],
        "pending": [f"{int(s)} s" if s else "fires at once" for s in frame["pending_seconds"]],
        "channels": [", ".join(c) if len(c) else "none" for c in frame["channels"]],
        "evaluated": [ui.local_time(r["evaluated_at"], tz) if r["evaluated_at"] else "not yet" for r in rows],
        "records": [evaluator.deep_path(r) if r["kind"] in ALERT_KIND else "" for r in rows],
        "link": [f"/alerts?rule={i}" for i in frame["id"]],
    })
    return out


def firing_line(rule: dict) -> str:
    """One firing rule as a sentence: name, value against threshold, what the value is, scope, for how long."""
    kind = ALERT_KIND.get(rule["kind"])
    since = f" · for {ui.relative_age(rule['since']).removesuffix(' ago')}" if rule["since"] else ""
    return (f"{rule['name']}: {number(rule['value'])} ≥ {number(rule['threshold'])} "
            f"{kind.value if kind else ''} · {evaluator.scope_text(rule)}{since}")


def _state_text(rule: dict, now: datetime) -> str:
    if not rule["enabled"]:
        return "Disabled"
    text = STATE_LABELS.get(rule["state"], rule["state"])
    if rule["state"] != "ok" and rule["since"] is not None:
        text += f" for {ui.relative_age(rule['since'], now).removesuffix(' ago')}"
    if rule["snoozed_until"] is not None and rule["snoozed_until"] > now:
        text += f" · snoozed until {ui.local_time(rule['snoozed_until'])}"
    return text


def history_table(frame: pd.DataFrame) -> pd.DataFrame:
    tz = ui.viewer_tz()
    return pd.DataFrame({
        "at": [ui.local_time(t, tz) for t in frame["occurred_at"]],
        "rule": frame["rule_name"],
        "event": [e.upper() for e in frame["event"]],
        "value": [number(v) for v in frame["value"]],
        "threshold": [("≥ " if e == "fired" else "< ") + number(t) for e, t in zip(frame["event"], frame["threshold"],
                                                                                    strict=True)],
        "scope": frame["scope"],
        "deliveries": frame["deliveries"],
        "link": frame["link"],
    })


def channels_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "name": frame["name"], "kind": frame["kind"],
        "destination": [r.url if r.kind == "webhook" else r.recipients for r in frame.itertuples()],
        "format": [r.body_format if r.kind == "webhook" else "email" for r in frame.itertuples()],
        "secret": ["•" * 8 + (s[-2:] if isinstance(s, str) else "") if k == "webhook" else ""
                   for s, k in zip(frame["secret"], frame["kind"], strict=True)],
        "rules": frame["rules"],
    })


def _text(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def rule_editor(rule: dict | None, integrations: dict[int, str], channels: dict[int, str]) -> dict:
    """The rule's fields as widgets keyed by the rule id (a fresh set per rule); returns what was entered."""
    rid = rule["id"] if rule else "new"
    rule = rule or {}
    kind_keys = [k.key for k in ALERT_KINDS]
    left, right = st.columns(2)
    fields = {"name": left.text_input("Name", value=rule.get("name", ""), key=f"rule_name_{rid}", max_chars=200)}
    fields["kind"] = right.selectbox("Kind", kind_keys, index=kind_keys.index(rule.get("kind", "error_rate")),
                                     format_func=lambda k: ALERT_KIND[k].label, key=f"rule_kind_{rid}")
    kind = ALERT_KIND[fields["kind"]]
    st.caption(f"Value: {kind.value}. The rule fires when the value is at or above the threshold.")
    ids = [None, *integrations]
    current = None if rule.get("integration_id") is None else int(rule["integration_id"])
    fields["integration_id"] = left.selectbox(
        "Integration", ids, index=ids.index(current) if current in ids else 0, key=f"rule_integration_{rid}",
        format_func=lambda i: "All integrations" if i is None else integrations[i])
    types = [None, *TYPE_KEYS]
    fields["type"] = right.selectbox("Type", types, index=types.index(rule.get("type")) if rule.get("type") in types
                                     else 0, key=f"rule_type_{rid}",
                                     format_func=lambda t: "All types" if t is None else TYPE[t].label)
    c1, c2, c3 = st.columns(3)
    fields["threshold"] = c1.text_input("Threshold", value=_text(rule.get("threshold")), key=f"rule_threshold_{rid}",
                                        help="Fires when the value is at or above this number.")
    fields["recovery_threshold"] = c2.text_input(
        "Recovery threshold", value=_text(rule.get("recovery_threshold")), key=f"rule_recovery_{rid}",
        help="A firing rule resolves when the value falls below this (at or below the threshold; empty = the "
             "threshold). A gap between the two stops flapping.")
    fields["pending_seconds"] = c3.text_input(
        "Pending period (seconds)", value=_text(rule.get("pending_seconds", 0)), key=f"rule_pending_{rid}",
        help="How long the condition must hold before the rule fires (0 = at once).")
    optional = st.columns(3)
    settings = [("window", "window_minutes", "Window (minutes)"), ("min_volume", "min_volume", "Minimum volume"),
                ("age", "age_minutes", "Age (minutes)"), ("group", "error_group", "Error group")]
    used = [s for s in settings if s[0] in kind.uses]
    for column, (use, field, label) in zip(optional, used, strict=False):
        default = rule.get(field)
        if default is None:
            default = rules.DEFAULTS.get(field, "")
        fields[field] = column.text_input(label, value=_text(default), key=f"rule_{field}_{rid}",
                                          help=FIELD_HELP[use])
    fields["channel_ids"] = st.multiselect(
        "Channels", list(channels), default=[c for c in rule.get("channel_ids", []) if c in channels],
        format_func=lambda c: channels[c], key=f"rule_channels_{rid}",
        help="Where notifications go when the rule fires and resolves. Add channels in the Channels view.")
    return fields


def flash(text: str, kind: str = "success") -> None:
    """A message shown once at the top of the next run (after st.rerun)."""
    st.session_state["_alerts_flash"] = (kind, text)


def show_flash() -> None:
    kind, text = st.session_state.pop("_alerts_flash", (None, None))
    if kind:
        getattr(st, kind)(ui.md(text))
