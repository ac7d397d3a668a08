"""Entities list at `/`: type tabs, reference search, filters, one page of records, status chart, CSV export."""
import functools
from datetime import datetime

import streamlit as st

from entities import listfilter, ui
from entities.model import STATUS_KEYS, TYPE
from entities.ui import bulk as bulk_controls
from entities.ui import listing, live, urlstate

integrations = ui.query_df("integrations_list")
if integrations.empty or "integration" not in st.session_state:
    st.stop()
integration = integrations[integrations["id"] == st.session_state["integration"]].iloc[0]
integration_id = int(integration["id"])
enabled = [t for t in TYPE if t in list(integration["enabled_types"])]

title, live_col = st.columns([3, 2], vertical_alignment="bottom")
title.title("Entities")
if not enabled:
    st.info(f"**{ui.md(integration['name'])}** has no enabled flows, so it syncs no records yet. Enable a flow for "
            "articles, customers, orders or stock in the integration's settings and its records appear here.",
            icon=":material/sync_disabled:")
    st.stop()

seconds = live.control("list", 0, live_col)


@st.fragment(run_every=seconds or None)
def live_list() -> None:
    # --- URL state: bind every parameter before any widget is drawn -------------------------------------------
    if st.session_state.get("type") not in (None, *enabled):
        st.session_state["type"] = enabled[0]  # the picked integration does not sync the previous tab's type
    urlstate.bind("type", parse=urlstate.one_of(enabled), dump=urlstate.dump_one, default=enabled[0])
    urlstate.bind("status", parse=urlstate.many_of(STATUS_KEYS), dump=urlstate.dump_many, default=[])
    urlstate.bind("q", parse=urlstate.text(listfilter.Q_LIMIT), dump=urlstate.dump_one, default="")
    urlstate.bind("from", parse=listing.parse_date, dump=listing.dump_date, default=None)
    urlstate.bind("to", parse=listing.parse_date, dump=listing.dump_date, default=None)
    urlstate.bind("group", parse=urlstate.text(listfilter.GROUP_LIMIT), dump=urlstate.dump_one, default=None)
    urlstate.bind("gave_up", parse=listing.parse_flag, dump=listing.dump_flag, default=False)
    urlstate.bind("sort", parse=listing.parse_sort, dump=urlstate.dump_one, default=listing.DEFAULT_SORT)
    urlstate.bind("size", parse=urlstate.one_of(listing.PAGE_SIZES, int), dump=urlstate.dump_one,
                  default=listing.DEFAULT_PAGE_SIZE)
    state = st.session_state
    signature = (integration_id, state["type"], tuple(state["status"]), state["q"], state["from"], state["to"],
                 state["group"], state["gave_up"], state["sort"], state["size"])
    if state.get("_list_signature", signature) != signature:
        state["page"] = 1  # another type, filter, search, sort or page size starts again at page 1
    state["_list_signature"] = signature
    urlstate.bind("page", parse=urlstate.positive_int, dump=urlstate.dump_one, default=1)

    type_key, statuses, q, group, sort, size = (state["type"], state["status"], state["q"], state["group"],
                                                state["sort"], state["size"])
    tz = ui.viewer_tz()
    updated_from, updated_to = listing.date_bounds(state["from"], state["to"], tz)
    # The current list, exactly as entity_filter takes it: page, count, chart, export and bulk retry all use it.
    filter_params = listing.filter_params(integration_id, type_key, statuses, q, updated_from, updated_to, group,
                                          state["gave_up"])


    def fetch_page(number: int):
        return ui.query_frame("entity_page", listing.sort_idents(sort), **filter_params, limit=size,
                              offset=(number - 1) * size)


    breakdown, page = listing.breakdown_and_page(
        lambda: ui.query_frame("status_breakdown", integration=integration_id, q=filter_params["q"],
                               updated_from=updated_from, updated_to=updated_to,
                               error_group=filter_params["error_group"]),
        fetch_page, state["page"], ui.share_run_context())
    counts = listing.counts_by_type(breakdown)
    type_counts = counts[type_key]
    total = sum(type_counts[s] for s in (statuses or STATUS_KEYS))
    if state["gave_up"]:  # the breakdown counts every record; the gave-up subset is counted on its own
        total = int(ui.query_frame("entity_count", **filter_params)["n"].iloc[0])
    pages = max(1, -(-total // size))
    if state["page"] > pages:
        urlstate.notice(f"Page {state['page']} does not exist (there {'is' if pages == 1 else 'are'} {pages}); "
                        "showing the last page.")
        state["page"] = pages
        urlstate.publish("page", pages, urlstate.dump_one, 1)
        page = None
    page_no = state["page"]


    def reset_filters() -> None:
        for key, value in (("status", []), ("q", ""), ("from", None), ("to", None), ("group", None),
                           ("gave_up", False)):
            st.session_state[key] = value


    def clear_group() -> None:
        st.session_state["group"] = None


    def apply_chart_selection(chart_key: str) -> None:
        picked = listing.statuses_from_selection(st.session_state.get(chart_key))
        if picked:
            st.session_state["status"] = picked


    # --- Widgets -------------------------------------------------------------------------------------------------
    st.segmented_control("Entity type", enabled, key="type", required=True, label_visibility="collapsed",
                         format_func=lambda t: listing.tab_label(t, counts[t]))
    search, status_col, from_col, to_col, sort_col, size_col = st.columns([2.6, 2, 1.4, 1.4, 1.7, 0.9],
                                                                          vertical_alignment="bottom")
    search.text_input("Search references", key="q", placeholder="Retriever or storer reference, e.g. #1001",
                      help="Matches either reference, case-insensitive; exact matches come first.")
    status_col.multiselect("Status", STATUS_KEYS, key="status", format_func=ui.status_label, placeholder="All statuses")
    from_col.date_input("Updated from", key="from", format="YYYY-MM-DD")
    to_col.date_input("Updated to", key="to", format="YYYY-MM-DD")
    sort_col.selectbox("Sort by", listing.SORT_OPTIONS, key="sort", format_func=listing.sort_label)
    size_col.selectbox("Rows", listing.PAGE_SIZES, key="size")
    flags = st.container(horizontal=True, vertical_alignment="center")
    flags.toggle("Gave up only", key="gave_up",
                 help="Records the auto-retry policy stopped retrying after its last attempt failed with a transient "
                      "error. A retry by hand starts their attempts again.")
    if group:
        flags.button(f"Error group: {ui.md(group)}  ✕", key="clear_group", on_click=clear_group,
                     help="Remove this filter")

    if seconds:
        new_errors = int(ui.query_frame("live_new_errors", integration=integration_id, type=None,
                                        since=live.opened_at("list")).iloc[0, 0])
        st.markdown(live.status_line("list", seconds, new_errors) + f" in **{ui.md(integration['name'])}**")

    label = TYPE[type_key].label
    filtered = bool(statuses or q or updated_from or updated_to or group or state["gave_up"])
    table_col, side_col = st.columns([4, 1])
    selected_ids: list[int] = []
    with table_col:
        if total == 0:
            if not filtered:
                st.info(f"No {label.lower()} have been synced for **{ui.md(integration['name'])}** yet.",
                        icon=":material/inbox:")
            elif q and sum(type_counts.values()) == 0:
                where = listing.matches_elsewhere(counts, type_key, enabled)
                st.info(f"No {label.lower()} in **{ui.md(integration['name'])}** have a retriever or storer "
                        f"reference containing “{ui.md(q[:200])}”"
                        + (" in the chosen dates or error group." if filtered else "."),
                        icon=":material/search_off:")
                for other, n in where:
                    matches = f"{n:,} match{'es' if n != 1 else ''} in {TYPE[other].label}"
                    st.page_link("pages/entities_list.py", label=matches, icon=":material/arrow_forward:",
                                 query_params={k: v for k, v in (("integration", integration_id), ("type", other),
                                                                 ("q", q), ("from", state["from"]), ("to", state["to"]),
                                                                 ("group", group)) if v})
            else:
                chosen = ", ".join(ui.status_label(s) for s in statuses) or "any status"
                st.info(f"No {label.lower()} match these filters (status: {chosen}"
                        + (f", search “{ui.md(q[:200])}”" if q else "")
                        + (", gave up only" if state["gave_up"] else "") + ").", icon=":material/filter_alt_off:")
            if filtered:
                st.button("Clear all filters", key="clear_filters", on_click=reset_filters)
        else:
            if page is None:
                page = fetch_page(page_no)
            first = (page_no - 1) * size + 1
            noun = label.lower() if total != 1 else TYPE[type_key].singular.lower()
            st.caption(f"**{total:,}** {noun} · showing {first:,}–{first + len(page) - 1:,} · "
                       f"page {page_no:,} of {pages:,}")
            table = listing.page_table(page, tz, opened=live.opened_at("list") if seconds else None,
                                       totals=TYPE[type_key].has_total)
            event = st.dataframe(
                table, key="entity_table", on_select="rerun", selection_mode="multi-row",
                hide_index=True, width="stretch",
                column_config={
                    listing.NEW_COLUMN: st.column_config.TextColumn(help="Created or updated since you opened this "
                                                                         "page", width="small"),
                    "Status": listing.status_column(),
                    "Retriever Reference": st.column_config.LinkColumn(
                        display_text=listing.REF_DISPLAY, help="Open the record's details"),
                    "Children": st.column_config.NumberColumn(help=TYPE[type_key].children_label, width="small"),
                    listing.TOTAL_COLUMN: st.column_config.TextColumn(
                        help="The order's total in its own currency (totals in different currencies are never "
                             "added up)", alignment="right"),
                    "Last Updated": st.column_config.TextColumn(help=f"In your timezone ({tz.key})"),
                },
            )
            selected_ids = [int(page["id"].iloc[i]) for i in event.selection.rows if i < len(page)]
            if pages > 1:
                st.number_input("Page", min_value=1, max_value=pages, step=1, key="page", width=160)
            if selected_ids:
                links = st.container(horizontal=True)
                for entity_id in selected_ids[:10]:
                    ref = page.loc[page["id"] == entity_id, "retriever_ref"].iloc[0]
                    links.page_link("pages/entity.py", label=f"Open {ui.md(ref)}", icon=":material/open_in_new:",
                                    query_params={"id": entity_id})
                if len(selected_ids) > 10:
                    links.caption(f"and {len(selected_ids) - 10} more selected")

    with side_col:
        # Keyed by the status filter, so the chart starts unselected once its click has become the filter.
        chart_key = "status_chart_" + "_".join(statuses)
        st.plotly_chart(listing.breakdown_figure(type_counts), key=chart_key, selection_mode="points",
                        on_select=functools.partial(apply_chart_selection, chart_key), config={"displayModeBar": False})
        st.caption("Status breakdown under the search and date filters; click a bar to filter by it.")
        if total:
            con = ui.connection()
            st.download_button(
                "Download CSV", key="export", icon=":material/download:", on_click="ignore", width="stretch",
                data=lambda: listing.export_csv(con, filter_params, sort), mime="text/csv",
                file_name=listing.export_filename(integration["name"], type_key, datetime.now(tz).date()),
                help=f"All {total:,} matching rows, not only this page; times in UTC.")
        bulk_controls.controls(filter_params, selected_ids)  # also at zero matches: a running batch's progress stays


live_list()
