"""Streamlit controls for bulk retry: the buttons, the confirmation dialog with the exact count and the progress."""
from __future__ import annotations

import streamlit as st

from entities import ui
from entities.identity import Forbidden
from entities.sync import bulk

BATCH_KEY = "bulk_retry_batch"


def controls(filter_params: dict, selected_ids: list[int]) -> None:
    """Bulk retry of the rows selected in the list and of every record matching the list filter."""
    refused = ui.refusal(ui.principal(), "retry") or ui.write_block()
    if st.button(f"Retry selected ({len(selected_ids):,})", key="bulk_retry_selected", icon=":material/replay:",
                 disabled=bool(refused) or not selected_ids, width="stretch",
                 help=refused or "Queue a retry for each selected row."):
        confirm(bulk.selection(selected_ids))
    if st.button("Retry all matching…", key="bulk_retry_filter", icon=":material/replay:", width="stretch",
                 disabled=bool(refused),
                 help=refused or "Queue a retry for every record matching the current filter, oldest first."):
        confirm(bulk.list_filter(filter_params))
    show_progress()


def group_button(integration: int, type_: str, group: str, key: str) -> None:
    """Bulk retry of every record currently in error in one error group (integration and type)."""
    refused = ui.refusal(ui.principal(), "retry") or ui.write_block()
    if st.button("Retry group…", key=key, icon=":material/replay:", disabled=bool(refused),
                 help=refused or "Queue a retry for every record of this group that is in error, oldest first."):
        confirm(bulk.error_group(integration, type_, group))


@st.dialog("Confirm bulk retry")
def confirm(scope: bulk.Scope) -> None:
    con = ui.cursor()
    found = bulk.summary(con, scope)
    limit = bulk.cap()
    over = bulk.over_cap_message(scope, found.matched, limit)
    if over:
        st.error(over, icon=":material/block:")
        return
    if found.matched == 0:
        st.info("No records match, so there is nothing to retry.")
        return
    if found.to_queue == 0:
        st.info(f"All {found.matched:,} already have a retry queued; nothing new to queue.")
        return
    st.markdown(f"**{bulk.confirmation_text(found)}**")
    st.caption("Each record gets its own retry request, oldest first; records already stored in the target are "
               "updated there rather than created again.")
    yes, no = st.columns(2)
    blocked = ui.write_block()
    if yes.button(f"Retry {found.to_queue:,}", key="bulk_retry_confirm", type="primary", disabled=bool(blocked),
                  help=blocked):
        try:
            st.session_state[BATCH_KEY] = bulk.submit(con, scope, ui.principal(), limit)
        except Forbidden as exc:
            st.error(ui.md(str(exc)), icon=":material/block:")
            return
        ui.clear_cache()
        st.rerun()
    if no.button("Cancel", key="bulk_retry_cancel"):
        st.rerun()


def show_progress() -> None:
    """The last bulk retry of this session: live progress while the worker processes it, then its result."""
    batch: bulk.Batch | None = st.session_state.get(BATCH_KEY)
    if batch is None:
        return
    if not batch.done:
        _progress()
        return
    p = bulk.progress(ui.cursor(), batch)
    st.success(f"Bulk retry finished: {p['succeeded']:,} succeeded, {p['failed']:,} failed. "
               f"{bulk.result_text(batch)}", icon=":material/task_alt:")
    if st.button("Dismiss", key="bulk_retry_dismiss"):
        del st.session_state[BATCH_KEY]
        st.rerun()


@st.fragment(run_every=1)
@ui.guarded
def _progress() -> None:
    batch: bulk.Batch = st.session_state[BATCH_KEY]
    p = bulk.progress(ui.cursor(), batch)
    requests = p["requests"]
    st.progress(p["finished"] / requests if requests else 1.0,
                text=f"Bulk retry: {p['finished']:,} of {requests:,} finished · {p['succeeded']:,} succeeded · "
                     f"{p['failed']:,} failed · {bulk.pace_text(p['finished'], requests, batch.since)}. "
                     f"{bulk.result_text(batch)}")
    if p["finished"] >= requests:
        batch.done = True
        ui.clear_cache()
        st.rerun(scope="app")
