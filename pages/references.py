"""References: which storer record corresponds to which retriever record, with unmapped and conflicting ones flagged."""
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

import queries
from entities import ui
from entities.model import STATUS, TYPE_KEYS
from entities.ui import urlstate

PAGE_SIZE = 50
PROBLEMS = {"all": "All records", "unmapped": "Not yet mapped", "conflict": "Integrity problems"}

integration = st.session_state.get("integration")
if integration is None:
    st.title("References")
    st.info("Pick an integration in the sidebar.")
    st.stop()

integrations = ui.query_df("integrations_list")
name = integrations.loc[integrations["id"] == integration, "name"].iloc[0]
st.title("References")
st.caption(f"{ui.md(name)}: which storer record each retriever record was written to, per type. A storer reference "
           "mapped from two or more retriever references of one type is an integrity problem.")

urlstate.bind("ref_type", parse=urlstate.one_of(["all", *TYPE_KEYS]), dump=urlstate.dump_one, default="all")
urlstate.bind("q", parse=urlstate.text(200), dump=urlstate.dump_one, default="")
urlstate.bind("problem", parse=urlstate.one_of(PROBLEMS), dump=urlstate.dump_one, default="all")
urlstate.bind("ref_page", parse=urlstate.positive_int, dump=urlstate.dump_one, default=1)

left, middle, right = st.columns([1, 2, 2])
left.selectbox("Type", ["all", *TYPE_KEYS], key="ref_type",
               format_func=lambda t: "All types" if t == "all" else ui.type_label(t))
middle.text_input("Search either reference", key="q", placeholder="e.g. #1002 or F-5001",
                  help="Case-insensitive; matches part of the retriever or the storer reference.")
right.segmented_control("Show", list(PROBLEMS), key="problem", format_func=PROBLEMS.get)
if st.session_state["problem"] is None:  # a segmented control can be unselected; treat that as "all"
    st.session_state["problem"] = "all"

filters = {"integration": int(integration),
           "type": None if st.session_state["ref_type"] == "all" else st.session_state["ref_type"],
           "q": st.session_state["q"] or None}
counts = ui.query_df("references_counts", **filters).iloc[0]
a, b, c = st.columns(3)
a.metric("Records", f"{int(counts['records']):,}", border=True)
b.metric("Not yet mapped", f"{int(counts['unmapped']):,}", help="No storer reference yet.", border=True)
c.metric("Integrity problems", f"{int(counts['conflicts']):,}", border=True,
         help="Records whose storer reference is shared with another retriever reference of the same type.")

problem = st.session_state["problem"] or "all"
total = int(counts["records"] if problem == "all" else counts["unmapped" if problem == "unmapped" else "conflicts"])
pages = max(1, -(-total // PAGE_SIZE))
if st.session_state["ref_page"] > pages:
    st.session_state["ref_page"] = pages
    urlstate.publish("ref_page", pages, urlstate.dump_one, 1)

mapping = ui.query_df("references_page", problem=problem, page_size=PAGE_SIZE,
                      page_offset=(st.session_state["ref_page"] - 1) * PAGE_SIZE, **filters).copy()
if mapping.empty:
    st.info("No records match.")
else:
    tz = ui.viewer_tz()
    mapping["last_updated"] = pd.to_datetime(mapping["last_updated"], utc=True).dt.tz_convert(tz)
    mapping["flag"] = ["⚠ shared by " + str(n) if n > 1 else ("not yet mapped" if n == 0 else "")
                       for n in mapping["shared_by"]]
    mapping["status_label"] = mapping["status"].map(ui.status_label)
    mapping["type_label"] = mapping["type"].map(ui.type_label)
    mapping["entity"] = [f"/entity?id={i}" for i in mapping["entity_id"]]
    colors = {s.label: s.color for s in STATUS.values()}
    styled = mapping.style.map(lambda v: f"color: {colors[v]}; font-weight: 600" if v in colors else "",
                               subset=["status_label"])
    st.dataframe(
        styled, key="references_table", hide_index=True,
        column_order=["type_label", "retriever_ref", "storer_ref", "status_label", "flag", "last_updated", "entity"],
        column_config={
            "type_label": "Type", "retriever_ref": "Retriever Reference", "storer_ref": "Storer Reference",
            "status_label": "Status", "flag": "Flag",
            "last_updated": st.column_config.DatetimeColumn("Last Updated", format="YYYY-MM-DD HH:mm"),
            "entity": st.column_config.LinkColumn("Record", display_text="Open"),
        })
st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key="ref_page", width=180)


def export_csv() -> bytes:
    """The whole filtered mapping as CSV, written by DuckDB; timestamps in UTC ISO 8601."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "references.csv"
        queries.run(ui.cursor(), "references_export", problem=problem, path=str(path), **filters)
        return path.read_bytes()


st.download_button("Export CSV", data=export_csv, file_name=f"references-{integration}-{problem}.csv",
                   mime="text/csv", key="references_export", icon=":material/download:",
                   help="Every record matching the filters (not just this page); times in UTC.")
