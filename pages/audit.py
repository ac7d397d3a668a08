"""Audit: who did what. Retries (every retry request and its outcome) and changes (role rules, tokens, group
lifecycle, alert rules: the audit_log), each with its own filters in the URL."""
from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from entities import ui
from entities.model import RETRY_STATES
from entities.ui import urlstate

PAGE_SIZE = 50
LOGS = {"retries": "Retries", "changes": "Changes"}
TIME_FORMAT = "YYYY-MM-DD HH:mm:ss"


def parse_day(raw: list[str]):
    try:
        return datetime.strptime(raw[-1].strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(f"{raw[-1]!r} is not a date like 2026-11-26") from None


def day_range(first_key: str, last_key: str, tz) -> tuple[datetime | None, datetime | None]:
    first_day, last_day = st.session_state[first_key], st.session_state[last_key]
    return (datetime.combine(first_day, time(), tz) if first_day else None,
            datetime.combine(last_day + timedelta(days=1), time(), tz) if last_day else None)


def bind_days(first_key: str, last_key: str) -> None:
    for key in (first_key, last_key):
        urlstate.bind(key, parse=parse_day, dump=lambda d: [d.isoformat()], default=None)


def paged(key: str, total: int) -> int:
    """The page number bound to `key`, clamped to the pages `total` rows fill; returns the row offset."""
    pages = max(1, -(-total // PAGE_SIZE))
    if st.session_state[key] > pages:
        st.session_state[key] = pages
        urlstate.publish(key, pages, urlstate.dump_one, 1)
    return (st.session_state[key] - 1) * PAGE_SIZE


def page_input(key: str, total: int) -> None:
    pages = max(1, -(-total // PAGE_SIZE))
    st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key=key, width=180)


def retries(tz) -> None:
    st.caption("Every retry request, newest first: who asked (email, or token name, with their sign-in subject), "
               "when, and the outcome of the sync it triggered.")
    requesters = ui.query_df("audit_requesters")["requested_by"].tolist()
    urlstate.bind("requester", parse=urlstate.one_of(["", *requesters]), dump=urlstate.dump_one, default="")
    urlstate.bind("retry_state", parse=urlstate.one_of(["", *RETRY_STATES]), dump=urlstate.dump_one, default="")
    bind_days("requested_from", "requested_to")
    urlstate.bind("audit_page", parse=urlstate.positive_int, dump=urlstate.dump_one, default=1)

    c1, c2, c3, c4 = st.columns(4)
    c1.selectbox("Requested by", ["", *requesters], key="requester", format_func=lambda r: r or "Anyone")
    c2.selectbox("State", ["", *RETRY_STATES], key="retry_state",
                 format_func=lambda s: s.capitalize() if s else "Any state")
    c3.date_input("From (requested on or after)", key="requested_from", format="YYYY-MM-DD")
    c4.date_input("To (requested on or before)", key="requested_to", format="YYYY-MM-DD")
    requested_from, requested_to = day_range("requested_from", "requested_to", tz)
    filters = {"requester": st.session_state["requester"] or None, "state": st.session_state["retry_state"] or None,
               "requested_from": requested_from, "requested_to": requested_to}
    total = int(ui.query_df("audit_count", **filters)["requests"].iloc[0])
    trail = ui.query_df("audit_page", page_size=PAGE_SIZE, page_offset=paged("audit_page", total), **filters).copy()
    st.markdown(f"**{total:,}** retry requests")
    if trail.empty:
        st.info("No retry requests match these filters.")
    else:
        for column in ("requested_at", "finished_at"):
            trail[column] = pd.to_datetime(trail[column], utc=True).dt.tz_convert(tz)
        trail["entity"] = [f"/entity?id={i}" for i in trail["entity_id"]]
        trail["type"] = trail["type"].map(ui.type_label)
        st.dataframe(
            trail, key="audit_table", hide_index=True,
            column_order=["requested_at", "requested_by", "requested_by_subject", "state", "finished_at", "entity",
                          "integration", "type", "retriever_ref", "storer_ref", "outcome", "error_code", "message"],
            column_config={
                "requested_at": st.column_config.DatetimeColumn(f"Requested ({tz.key})", format=TIME_FORMAT),
                "requested_by": "Requested by", "requested_by_subject": "Subject", "state": "State",
                "finished_at": st.column_config.DatetimeColumn(f"Finished ({tz.key})", format=TIME_FORMAT),
                "entity": st.column_config.LinkColumn("Record", display_text=r"id=(\d+)"),
                "integration": "Integration", "type": "Type", "retriever_ref": "Retriever Reference",
                "storer_ref": "Storer Reference", "outcome": "Outcome", "error_code": "Error code",
                "message": st.column_config.TextColumn("Message", width="large"),
            })
    page_input("audit_page", total)


def changes(tz) -> None:
    st.caption("Every change to role rules, API tokens, error groups and alert rules, newest first, with who made "
               "it: the signed-in email and subject, or the API token's name.")
    facets = ui.query_df("audit_log_facets")
    actors = facets.loc[facets["facet"] == "actor", "value"].tolist()
    actions = facets.loc[facets["facet"] == "action", "value"].tolist()
    urlstate.bind("actor", parse=urlstate.one_of(["", *actors]), dump=urlstate.dump_one, default="")
    urlstate.bind("action", parse=urlstate.one_of(["", *actions]), dump=urlstate.dump_one, default="")
    bind_days("changed_from", "changed_to")
    urlstate.bind("changes_page", parse=urlstate.positive_int, dump=urlstate.dump_one, default=1)

    c1, c2, c3, c4 = st.columns(4)
    c1.selectbox("Changed by", ["", *actors], key="actor", format_func=lambda a: a or "Anyone")
    c2.selectbox("Action", ["", *actions], key="action", format_func=lambda a: a or "Any action")
    c3.date_input("From (changed on or after)", key="changed_from", format="YYYY-MM-DD")
    c4.date_input("To (changed on or before)", key="changed_to", format="YYYY-MM-DD")
    changed_from, changed_to = day_range("changed_from", "changed_to", tz)
    filters = {"actor": st.session_state["actor"] or None, "action": st.session_state["action"] or None,
               "changed_from": changed_from, "changed_to": changed_to}
    total = int(ui.query_df("audit_log_count", **filters)["changes"].iloc[0])
    log = ui.query_df("audit_log_page", page_size=PAGE_SIZE, page_offset=paged("changes_page", total),
                      **filters).copy()
    st.markdown(f"**{total:,}** changes")
    if log.empty:
        st.info("No changes match these filters.")
    else:
        log["occurred_at"] = pd.to_datetime(log["occurred_at"], utc=True).dt.tz_convert(tz)
        st.dataframe(
            log, key="changes_table", hide_index=True,
            column_order=["occurred_at", "actor", "actor_subject", "actor_kind", "action", "target", "detail"],
            column_config={
                "occurred_at": st.column_config.DatetimeColumn(f"When ({tz.key})", format=TIME_FORMAT),
                "actor": "Changed by", "actor_subject": "Subject", "actor_kind": "Kind", "action": "Action",
                "target": "Target", "detail": st.column_config.TextColumn("Detail", width="large"),
            })
    page_input("changes_page", total)


st.title("Audit")
urlstate.bind("log", parse=urlstate.one_of(LOGS), dump=urlstate.dump_one, default="retries")
st.segmented_control("Log", list(LOGS), key="log", format_func=LOGS.get, label_visibility="collapsed",
                     required=True)
(retries if st.session_state["log"] == "retries" else changes)(ui.viewer_tz())
