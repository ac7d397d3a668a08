"""Overview for ops leads: headline figures, error rate over time, integrations by open errors, error groups."""
from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from entities import ui
from entities.model import TYPE
from entities.ui import bulk as bulk_controls
from entities.ui import overview as ov
from entities.ui import urlstate

st.title("Overview")

integrations = ui.query_df("integrations_list")
names = {int(row.id): row.name for row in integrations.itertuples()}
scopes = ["all", *names]


urlstate.bind("scope", parse=urlstate.one_of(scopes, lambda v: v if v == "all" else int(v)), dump=urlstate.dump_one,
              default="all")
urlstate.bind("window", parse=urlstate.one_of(ov.WINDOWS), dump=urlstate.dump_one, default=ov.DEFAULT_WINDOW)
urlstate.bind("stuck", parse=ov.parse_stuck_minutes, dump=urlstate.dump_one, default=ov.DEFAULT_STUCK_MINUTES)

left, middle, right = st.columns([2, 2, 1])
left.selectbox("Integrations", scopes, key="scope",
               format_func=lambda s: "All integrations" if s == "all" else names[s],
               help="Show every integration together, or one.")
middle.selectbox("Time window", list(ov.WINDOWS), key="window", format_func=lambda w: ov.WINDOWS[w].label,
                 help="Hourly buckets for the last 48 hours, daily buckets for longer windows.")
right.number_input("Stuck after (minutes)", min_value=1, max_value=ov.MAX_STUCK_MINUTES, step=15, key="stuck",
                   help="A pending record waiting longer than this counts as stuck.")

scope = None if st.session_state["scope"] == "all" else st.session_state["scope"]
window = ov.WINDOWS[st.session_state["window"]]
now = datetime.now(UTC).replace(second=0, microsecond=0)
tz = ui.viewer_tz()

head = ui.query_df("overview_headline", integration=scope,
                   stuck_before=now - timedelta(minutes=int(st.session_state["stuck"])))
for column, (label, value, help_text) in zip(st.columns(5), ov.headline(head.iloc[0].to_dict(), now), strict=True):
    column.metric(label, value, help=help_text, border=True)

gave_up = ui.query_df("overview_gave_up", integration=scope)
if gave_up.empty:
    st.caption("Auto-retry: no record has given up; transient errors are retried by the policy.")
else:
    links = st.container(horizontal=True, vertical_alignment="center", key="gave_up_links")
    links.markdown(f"**{int(gave_up['gave_up'].sum()):,} gave up** after the auto-retry policy's last attempt:")
    for row in gave_up.itertuples():
        links.page_link("pages/entities_list.py", label=f"{names.get(int(row.integration_id), row.integration_id)} · "
                        f"{TYPE[row.type].label if row.type in TYPE else row.type}: {int(row.gave_up):,}",
                        icon=":material/do_not_disturb_on:",
                        query_params={"integration": int(row.integration_id), "type": row.type, "gave_up": "1"})

rates = ui.query_df("overview_error_rate", integration=scope, bucket_seconds=window.bucket_seconds,
                    since=ov.window_since(window, now))
st.subheader("Error rate over time")
st.caption(ov.ERROR_RATE_NOTE)
if rates.empty:
    st.info(f"No records were synced in the {window.label.lower()}.")
else:
    by_integration, by_type = st.columns(2)
    for column, by, title in ((by_integration, "integration", "Per integration"), (by_type, "type", "Per type")):
        column.plotly_chart(ov.error_rate_chart(ov.error_rate_frame(rates, by, window, tz), by, window, title),
                            key=f"chart_{by}")

st.subheader("Integrations by open errors")
ranked = ui.query_df("overview_integrations_ranked").copy()
ranked["list"] = [ov.list_link(i) for i in ranked["integration_id"]]
ranked["oldest_error_at"] = pd.to_datetime(ranked["oldest_error_at"], utc=True).dt.tz_convert(tz)
st.dataframe(
    ranked, key="ranked", hide_index=True,
    column_order=["name", "retriever", "storer", "errors", "error_pct", "pending", "records", "oldest_error_at",
                  "list"],
    column_config={
        "name": "Integration", "retriever": "Retriever", "storer": "Storer",
        "errors": st.column_config.NumberColumn("Open errors", format="localized"),
        "error_pct": st.column_config.NumberColumn("Error %", format="%.1f %%"),
        "pending": st.column_config.NumberColumn("Pending", format="localized"),
        "records": st.column_config.NumberColumn("Records", format="localized"),
        "oldest_error_at": st.column_config.DatetimeColumn("Oldest open error", format="YYYY-MM-DD HH:mm"),
        "list": st.column_config.LinkColumn("Errors in the list", display_text="Open list"),
    })

st.subheader("Error groups")
st.caption("Records currently in error, grouped by their message with numbers, references, amounts and quoted "
           "values replaced by placeholders. Select a row to retry the whole group.")
groups = ui.query_df("error_groups", integration=scope).copy()
if groups.empty:
    st.success("No records are in error.")
else:
    groups["list"] = [ov.list_link(r.integration_id, r.type, "error", r.error_group) for r in groups.itertuples()]
    groups["type_label"] = groups["type"].map(ui.type_label)
    for column in ("first_seen", "last_seen"):
        groups[column] = pd.to_datetime(groups[column], utc=True).dt.tz_convert(tz)
    shown = ["error_group", "records", "severity", "error_code", "type_label", "first_seen", "last_seen", "example",
             "list"]
    if scope is None:
        shown.insert(4, "integration")
    picked = st.dataframe(
        groups.style.map(ov.severity_style, subset=["severity"]), key="groups", hide_index=True,
        on_select="rerun", selection_mode="single-row", column_order=shown,
        column_config={
            "integration": "Integration", "type_label": "Type", "error_group": st.column_config.TextColumn("Group",
                                                                                                     width="large"),
            "records": st.column_config.NumberColumn("Records", format="localized"),
            "error_code": "Error code", "severity": "Severity",
            "first_seen": st.column_config.DatetimeColumn("First seen", format="YYYY-MM-DD HH:mm"),
            "last_seen": st.column_config.DatetimeColumn("Last seen", format="YYYY-MM-DD HH:mm"),
            "example": st.column_config.TextColumn("Example", width="medium"),
            "list": st.column_config.LinkColumn("Records", display_text="Open list"),
        })
    rows = picked.selection.rows if picked else []
    if rows:
        group = groups.iloc[rows[0]]
        st.markdown(f"**{group['error_group']}** · {group['integration']} · {group['type_label']} · "
                    f"{int(group['records']):,} records")
        links = st.container(horizontal=True)
        with links:
            st.page_link("pages/entities_list.py", label="Open these records in the list", icon=":material/list:",
                         query_params={"integration": int(group["integration_id"]), "type": group["type"],
                                       "status": "error", "group": group["error_group"]})
            bulk_controls.group_button(int(group["integration_id"]), group["type"], group["error_group"],
                                 key="bulk_retry_group")
bulk_controls.show_progress()
st.page_link("pages/audit.py", label="Retry audit trail", icon=":material/history:")
