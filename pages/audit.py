"""Retry audit trail: who requested which retries, when, and what came of them."""
from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from entities import ui
from entities.model import RETRY_STATES
from entities.ui import urlstate

PAGE_SIZE = 50

st.title("Retry audit trail")
st.caption("Every retry request, newest first: who asked, when, and the outcome of the sync it triggered.")

requesters = ui.query_df("audit_requesters")["requested_by"].tolist()


def parse_day(raw: list[str]):
    try:
        return datetime.strptime(raw[-1].strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(f"{raw[-1]!r} is not a date like 2026-11-26") from None


urlstate.bind("requester", parse=urlstate.one_of(["", *requesters]), dump=urlstate.dump_one, default="")
urlstate.bind("retry_state", parse=urlstate.one_of(["", *RETRY_STATES]), dump=urlstate.dump_one, default="")
urlstate.bind("requested_from", parse=parse_day, dump=lambda d: [d.isoformat()], default=None)
urlstate.bind("requested_to", parse=parse_day, dump=lambda d: [d.isoformat()], default=None)
urlstate.bind("audit_page", parse=urlstate.positive_int, dump=urlstate.dump_one, default=1)

c1, c2, c3, c4 = st.columns(4)
c1.selectbox("Requested by", ["", *requesters], key="requester", format_func=lambda r: r or "Anyone")
c2.selectbox("State", ["", *RETRY_STATES], key="retry_state",
             format_func=lambda s: s.capitalize() if s else "Any state")
c3.date_input("From (requested on or after)", key="requested_from", format="YYYY-MM-DD")
c4.date_input("To (requested on or before)", key="requested_to", format="YYYY-MM-DD")

tz = ui.viewer_tz()
first_day, last_day = st.session_state["requested_from"], st.session_state["requested_to"]
filters = {
    "requester": st.session_state["requester"] or None,
    "state": st.session_state["retry_state"] or None,
    "requested_from": datetime.combine(first_day, time(), tz) if first_day else None,
    "requested_to": datetime.combine(last_day + timedelta(days=1), time(), tz) if last_day else None,
}
total = int(ui.query_df("audit_count", **filters)["requests"].iloc[0])
pages = max(1, -(-total // PAGE_SIZE))
if st.session_state["audit_page"] > pages:
    st.session_state["audit_page"] = pages
    urlstate.publish("audit_page", pages, urlstate.dump_one, 1)

trail = ui.query_df("audit_page", page_size=PAGE_SIZE, page_offset=(st.session_state["audit_page"] - 1) * PAGE_SIZE,
                    **filters).copy()
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
        column_order=["requested_at", "requested_by", "state", "finished_at", "entity", "integration", "type",
                      "retriever_ref", "storer_ref", "outcome", "error_code", "message"],
        column_config={
            "requested_at": st.column_config.DatetimeColumn(f"Requested ({tz.key})", format="YYYY-MM-DD HH:mm:ss"),
            "requested_by": "Requested by", "state": "State",
            "finished_at": st.column_config.DatetimeColumn(f"Finished ({tz.key})", format="YYYY-MM-DD HH:mm:ss"),
            "entity": st.column_config.LinkColumn("Record", display_text=r"id=(\d+)"),
            "integration": "Integration", "type": "Type", "retriever_ref": "Retriever Reference",
            "storer_ref": "Storer Reference", "outcome": "Outcome", "error_code": "Error code",
            "message": st.column_config.TextColumn("Message", width="large"),
        })
st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key="audit_page", width=180)

st.subheader("Error-group and flow changes")
st.caption("Every lifecycle change of an error group (by a person, or by policy: auto-resolve, regression, end of an "
           "ignore) and every flow threshold change, newest first.")
changes = ui.query_df("audit_changes", limit=PAGE_SIZE).copy()
if changes.empty:
    st.info("No error group or flow has been changed yet.")
else:
    changes["occurred_at"] = pd.to_datetime(changes["occurred_at"], utc=True).dt.tz_convert(tz)
    st.dataframe(changes, key="audit_changes", hide_index=True,
                 column_config={
                     "occurred_at": st.column_config.DatetimeColumn(f"When ({tz.key})", format="YYYY-MM-DD HH:mm:ss"),
                     "actor": "Who", "actor_kind": "Kind", "action": "Action", "target": "Target",
                     "detail": st.column_config.TextColumn("Detail", width="large"),
                 })
