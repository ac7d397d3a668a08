"""Overview for ops leads: stale flows, headline figures, error rate over time, integrations by open errors, flow
freshness and the error groups with their lifecycle. Live (on by default) refreshes the data part."""
import zlib
from datetime import UTC, datetime, timedelta

import pandas as pd
import pyarrow as pa
import streamlit as st

from entities import ui
from entities.identity import Forbidden
from entities.model import SEVERITY_COLORS, TYPE
from entities.ui import bulk as bulk_controls
from entities.ui import groups as group_ui
from entities.ui import live, urlstate
from entities.ui import overview as ov
from entities.ui.charts import PreparedFigure
from entities.watch import freshness, groups

title, live_col = st.columns([3, 2], vertical_alignment="bottom")
title.title("Overview")
seconds = live.control("overview", live.DEFAULT_SECONDS, live_col)

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

urlstate.bind("group_state", parse=urlstate.many_of(groups.STATES), dump=urlstate.dump_many,
              default=list(groups.ACTIVE_STATES))
urlstate.bind("group_id", parse=urlstate.positive_int, dump=urlstate.dump_one, default=None)


STALE_LINKS = 5  # the box stays short (each link is an element every refresh); the table below has them all


@st.fragment(run_every=seconds or None)
def live_data() -> None:
    group_ui.sync()
    scope = None if st.session_state["scope"] == "all" else st.session_state["scope"]
    window = ov.WINDOWS[st.session_state["window"]]
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    tz = ui.viewer_tz()
    opened = live.opened_at("overview")

    new_errors = int(ui.query_frame("live_new_errors", integration=scope, type=None, since=opened).iloc[0, 0])
    line, seen = st.columns([5, 1], vertical_alignment="center")
    line.markdown(live.status_line("overview", seconds, new_errors))
    seen.button("Mark all seen", key="overview_mark_seen", on_click=live.mark_seen, args=("overview",),
                disabled=not new_errors, help="Count new errors and mark new rows from now on.")

    flows = ui.query_frame("flow_freshness", integration=scope, now=now)
    stale = flows[flows["stale"]]
    if not stale.empty:
        with st.container(border=True):
            st.markdown(f":red[**{len(stale)} stale flow{'s' if len(stale) != 1 else ''}**] · no successful sync "
                        "for longer than usual")
            for flow in stale.head(STALE_LINKS).to_dict("records"):
                st.page_link("pages/entities_list.py", icon=":material/sync_problem:",
                             label=f"{ui.md(flow['integration'])} · {TYPE[flow['type']].label}: "
                                   f"{ov.stale_line(flow)}",
                             query_params={"integration": int(flow["integration_id"]), "type": flow["type"]})
            if len(stale) > STALE_LINKS:
                st.caption(f"and {len(stale) - STALE_LINKS} more: Flow freshness below lists every flow, stale first.")

    head = ui.query_frame("overview_headline", integration=scope,
                          stuck_before=now - timedelta(minutes=int(st.session_state["stuck"])))
    for column, (label, value, help_text) in zip(st.columns(5), ov.headline(head.iloc[0].to_dict(), now),
                                                 strict=True):
        column.metric(label, value, help=help_text, border=True)

    gave_up = ui.query_frame("overview_gave_up", integration=scope)
    if gave_up.empty:
        st.caption("Auto-retry: no record has given up; transient errors are retried by the policy.")
    else:
        links = st.container(horizontal=True, vertical_alignment="center", key="gave_up_links")
        links.markdown(f"**{int(gave_up['gave_up'].sum()):,} gave up** after the auto-retry policy's last attempt:")
        for row in gave_up.itertuples():
            name = names.get(int(row.integration_id), row.integration_id)
            links.page_link("pages/entities_list.py", icon=":material/do_not_disturb_on:",
                            label=f"{ui.md(str(name))} · {TYPE[row.type].label if row.type in TYPE else row.type}: "
                                  f"{int(row.gave_up):,}",
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
            figure = live.shared(f"chart_{by}", (scope, window.key, now, tz.key), lambda by=by, title=title:
                                 PreparedFigure(ov.error_rate_chart(ov.error_rate_frame(rates, by, window, tz), by,
                                                                    window, title)))
            column.plotly_chart(figure, key=f"chart_{by}")

    st.subheader("Integrations by open errors")
    # shared tables are kept as Arrow, which st.dataframe sends as is (a pandas frame is converted on every render)
    ranked = live.shared("ranked", tz.key, lambda: pa.Table.from_pandas(ranked_frame(tz), preserve_index=False))
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

    flow_freshness(flows, tz, (scope, now))
    error_groups(scope, tz, opened)


def ranked_frame(tz):
    ranked = ui.query_df("overview_integrations_ranked").copy()
    ranked["list"] = [ov.list_link(i) for i in ranked["integration_id"]]
    ranked["oldest_error_at"] = pd.to_datetime(ranked["oldest_error_at"], utc=True).dt.tz_convert(tz)
    return ranked


def flow_freshness(flows, tz, flows_key) -> None:
    st.subheader("Flow freshness")
    st.caption(f"Each flow's last successful sync. A flow is stale when it has had no success for longer than its "
               f"threshold: twice its usual interval over the last 7 days, at least "
               f"{freshness.MIN_THRESHOLD_MINUTES} minutes, unless an operator set one.")
    st.dataframe(live.shared("freshness", (tz.key, flows_key),
                             lambda: pa.Table.from_pandas(ov.freshness_frame(flows, tz), preserve_index=False)),
                 key="freshness", hide_index=True,
                 column_config={
                     "State": ui.pill_column("State", ov.FRESHNESS_COLORS),
                     "Last success": st.column_config.DatetimeColumn(f"Last success ({tz.key})",
                                                                     format="YYYY-MM-DD HH:mm"),
                     "Records": st.column_config.LinkColumn("Records", display_text="Open list"),
                 })
    threshold = st.expander("Set a flow's stale threshold", key="freshness_threshold", on_change="rerun")
    if not threshold.open:  # the form is built only when opened: every load and live refresh skips it
        return
    with threshold:
        refused = ui.refusal(ui.principal(), "alerts")
        options = [(int(i), t) for i, t in zip(flows["integration_id"], flows["type"], strict=True)]
        names = dict(zip(options, flows["integration"], strict=True))
        with st.form("freshness_form", border=False):
            pick, minutes, go = st.columns([3, 2, 2], vertical_alignment="bottom")
            pick.selectbox("Flow", options, key="freshness_flow",
                           format_func=lambda o: f"{names[o]} · {TYPE[o[1]].label}")
            minutes.text_input("Stale after (minutes)", key="freshness_minutes",
                               placeholder="empty = default from history")
            go.form_submit_button("Save threshold", disabled=bool(refused), help=refused, on_click=save_threshold)
        kind, text = st.session_state.pop("_freshness_message", (None, None))
        if kind:
            (st.error if kind == "error" else st.success)(ui.md(text))


def save_threshold() -> None:
    flow = st.session_state.get("freshness_flow")
    raw = (st.session_state.get("freshness_minutes") or "").strip()
    if flow is None:
        return
    try:
        freshness.set_threshold(ui.cursor(), ui.principal(), flow[0], flow[1], raw or None)
    except (freshness.FreshnessError, Forbidden) as exc:
        st.session_state["_freshness_message"] = ("error", str(exc))
        return
    st.session_state["_freshness_message"] = (
        "success", f"Stale after {int(raw):,} minutes." if raw else "Back to the default from the flow's history.")


def error_groups(scope, tz, opened) -> None:
    st.subheader("Error groups")
    counts = dict(ui.query_frame("error_group_state_counts", integration=scope).itertuples(index=False))
    st.segmented_control("Group state", groups.STATES, key="group_state", selection_mode="multi",
                         format_func=lambda s: f"{groups.STATE_LABELS[s]} {counts.get(s, 0):,}",
                         help="Which lifecycle states to show; kept in the link as group_state=…")
    st.caption("Records in error, grouped by integration, type, error code and message (numbers, references, "
               "amounts and quoted values replaced by placeholders). Select a row to resolve, ignore, assign or "
               "annotate the group, or retry it. Groups resolve by themselves once no record is in error, and a "
               "resolved group that fails again is marked regressed.")
    states = tuple(st.session_state["group_state"])
    table = live.shared("groups", (states, scope, tz.key), lambda: groups_frame(
        ui.query_df("error_group_table", integration=scope, states=list(states), group_id=None), tz))
    if table.empty:
        chosen = ", ".join(groups.STATE_LABELS[s].lower() for s in states) or "any"
        st.success(f"No error groups are {chosen}." if states else "No error groups.")
        shown = table
    else:
        shown = live.memo("groups", (states, scope, tz.key, opened), lambda: with_since_opened(table, opened))
        groups_table(shown, scope, tz)
    group_id = st.session_state.get("group_id")
    if group_id is not None:
        group_panel(group_id, shown, tz, opened)


def groups_table(shown, scope, tz) -> None:
    columns = ["since_opened", "state_pill", "error_group", "type_label", "records", "error_code", "severity_pill",
               "assignee", "first_seen", "last_seen", "example", "list"]
    if scope is None:
        columns.insert(3, "integration")
    # The table's key names its rows, so a tick never outlives the row it was on: when a group leaves the table (or
    # a refresh reorders it) the tick clears instead of landing on the group that moved into its place.
    key = f"groups_{st.session_state.get('_groups_closed', 0)}_{zlib.crc32(shown['id'].to_numpy().tobytes()):x}"
    picked = st.dataframe(
        shown, key=key, hide_index=True, on_select="rerun", selection_mode="single-row", column_order=columns,
        column_config={
            "since_opened": st.column_config.TextColumn("New", help="Since you opened this page", width="small"),
            "state_pill": ui.pill_column("State", groups.STATE_COLORS, groups.STATE_LABELS),
            "integration": "Integration", "type_label": "Type",
            "error_group": st.column_config.TextColumn("Group", width="large"),
            "records": st.column_config.NumberColumn("In error now", format="localized"),
            "error_code": "Error code", "severity_pill": ui.pill_column("Severity", SEVERITY_COLORS),
            "assignee": "Assignee",
            "first_seen": st.column_config.DatetimeColumn(f"First seen ({tz.key})", format="YYYY-MM-DD HH:mm"),
            "last_seen": st.column_config.DatetimeColumn(f"Last seen ({tz.key})", format="YYYY-MM-DD HH:mm"),
            "example": st.column_config.TextColumn("Example", width="medium"),
            "list": st.column_config.LinkColumn("Records", display_text="Open list"),
        })
    picked_group(key, picked.selection.rows if picked else [], shown)


def group_panel(group_id: int, shown, tz, opened) -> None:
    one = ui.query_df("error_group_table", integration=None, states=[], group_id=group_id)
    if one.empty:
        st.warning(f"Error group {group_id} does not exist.")
        return
    group = groups_frame(one, tz).iloc[0].to_dict()
    with st.container(border=True, key="group_panel"):
        head, close = st.columns([9, 2], vertical_alignment="top")
        head.markdown(f"**{ui.md(group['error_group'])}** · {ui.md(group['integration'])} · "
                      f"{group['type_label']} · {ui.md(group['error_code'] or 'no code')} · "
                      f"{int(group['records']):,} records in error now")
        close.button("Close", key="group_close", icon=":material/close:", on_click=close_group, width="stretch",
                     help="Close this group's panel.")
        if shown.empty or group_id not in set(shown["id"]):
            st.caption(f"{group_ui.state_label(group['state'])}, so not in the table with this state filter; tick "
                       "a row to change another group.")
        group_ui.panel(group)
        links = st.container(horizontal=True)
        with links:
            st.page_link("pages/entities_list.py", label="Open these records in the list", icon=":material/list:",
                         query_params={"integration": int(group["integration_id"]), "type": group["type"],
                                       "status": "error", "group": group["error_group"]})
            if group["records"]:
                bulk_controls.group_button(int(group["integration_id"]), group["type"], group["error_group"],
                                           key="bulk_retry_group")


def picked_group(key: str, rows: list[int], shown) -> None:
    """The group whose panel is open (group_id in the URL). Ticking a row opens its group; the panel stays on it
    when it leaves the table (just resolved, say) until another row is ticked, the tick is removed or the panel
    is closed."""
    last = st.session_state.get("_group_pick")  # (table key, row) of the tick last seen
    if rows and rows[0] < len(shown):
        if last != (key, rows[0]):
            show_group(int(shown.iloc[rows[0]]["id"]))
        st.session_state["_group_pick"] = (key, rows[0])
    elif last is not None and last[0] == key:  # untick in the same table
        del st.session_state["_group_pick"]
        show_group(None)


def show_group(group_id: int | None) -> None:
    st.session_state["group_id"] = group_id
    st.session_state.pop("_group_message", None)
    urlstate.publish("group_id", group_id, urlstate.dump_one, None)


def close_group() -> None:
    show_group(None)
    st.session_state.pop("_group_pick", None)
    st.session_state["_groups_closed"] = st.session_state.get("_groups_closed", 0) + 1  # a new table: no tick


def groups_frame(table, tz):
    """The groups' display columns, alike for every session (so built once per data version in the process)."""
    frame = table.copy()
    frame["state_pill"] = [[state] for state in frame["state"]]
    frame["severity_pill"] = [[sev] if isinstance(sev, str) else [] for sev in frame["severity"]]
    frame["type_label"] = frame["type"].map(ui.type_label)
    for column in ("first_seen", "last_seen"):
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(tz)
    frame["list"] = [ov.list_link(i, t, "error", g) for i, t, g in zip(frame["integration_id"], frame["type"],
                                                                       frame["error_group"], strict=True)]
    return frame


def with_since_opened(frame, opened):
    """This session's "New" column on a copy of the shared frame."""
    return frame.assign(since_opened=ov.since_markers(frame["first_seen"], frame["last_seen"], opened))


live_data()
bulk_controls.show_progress()
st.page_link("pages/audit.py", label="Audit trail: retries and group changes", icon=":material/history:")
