"""The error-group panel on the overview: state, assignment, notes and the lifecycle buttons for one group."""
from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from entities import ui
from entities.identity import Forbidden
from entities.watch import groups

IGNORE_FOR = {60: "1 hour", 240: "4 hours", 1440: "1 day", 10080: "1 week"}


def sync() -> None:
    """Bring group states up to date when the data changed (cheap otherwise); the lifespan job does the same."""
    from entities import db

    groups.sync_if_changed(ui.cursor(), db.db_key())


def state_label(state: str) -> str:
    return groups.STATE_LABELS.get(state, state)


def state_style(value: object) -> str:
    color = {groups.STATE_LABELS[k]: c for k, c in groups.STATE_COLORS.items()}.get(value)
    return f"color: {color}; font-weight: 600" if color else ""


def _act(action, gid: int, *args, done: str, **kwargs) -> None:
    """Run a lifecycle change; its outcome stays on the group's panel through live refreshes, until the group's
    state changes again (a regression, say) or another change is made."""
    try:
        action(ui.cursor(), ui.principal(), gid, *args, **kwargs)
    except (groups.GroupError, Forbidden) as exc:
        st.session_state["_group_message"] = (gid, "error", str(exc), datetime.now(UTC))
        return
    st.session_state["_group_message"] = (gid, "success", done, datetime.now(UTC))


def _ignore(gid: int) -> None:
    if st.session_state[f"group_ignore_how_{gid}"] == "for a time":
        minutes = int(st.session_state[f"group_ignore_for_{gid}"])
        _act(groups.ignore, gid, minutes=minutes, done=f"Ignored for {IGNORE_FOR[minutes]}.")
    else:
        n = int(st.session_state[f"group_ignore_count_{gid}"])
        _act(groups.ignore, gid, occurrences=n, done=f"Ignored until {n:,} more errors.")


def _assign(gid: int) -> None:
    assignee = st.session_state[f"group_assignee_{gid}"]
    _act(groups.assign, gid, assignee, done=f"Assigned to {assignee.strip()}." if assignee.strip() else "Unassigned.")


def _note(gid: int) -> None:
    _act(groups.add_note, gid, st.session_state[f"group_note_{gid}"], done="Note added.")


def panel(group: dict) -> None:
    """Lifecycle actions, assignee and notes of one group (a row of error_group_table)."""
    gid = int(group["id"])
    refused = ui.refusal(ui.principal(), "groups")
    shown_for, kind, text, at = st.session_state.get("_group_message", (None, None, None, None))
    if shown_for != gid or pd.Timestamp(group["state_changed_at"]) > pd.Timestamp(at) + pd.Timedelta(seconds=1):
        kind = None
    if kind == "error":
        st.error(ui.md(text), icon=":material/block:")
    elif kind == "success":
        st.success(ui.md(text), icon=":material/check:")
    state = group["state"]
    summary = f"**{state_label(state)}** since {ui.local_time(group['state_changed_at'])}"
    if state == "resolved" and group.get("resolved_by"):
        summary += f" · resolved by {ui.md(group['resolved_by'])}"
    if state == "ignored":
        if group.get("ignored_until") is not None and str(group["ignored_until"]) != "NaT":
            summary += f" · until {ui.local_time(group['ignored_until'])}"
        if group.get("ignore_count") and str(group["ignore_count"]) != "nan":
            summary += f" · until {int(group['ignore_count']):,} more errors"
    summary += f" · assigned to **{ui.md(group['assignee'])}**" if group.get("assignee") else " · unassigned"
    st.markdown(summary)
    buttons = st.container(horizontal=True, vertical_alignment="bottom")
    if state != "resolved":
        buttons.button("Resolve", key=f"group_resolve_{gid}", icon=":material/check_circle:", disabled=bool(refused),
                       help=refused or "Close the group; a record failing after this reopens it as regressed.",
                       on_click=_act, args=(groups.resolve, gid), kwargs={"done": "Resolved."})
    if state != "open":
        buttons.button("Reopen", key=f"group_reopen_{gid}", icon=":material/undo:", disabled=bool(refused),
                       help=refused, on_click=_act, args=(groups.reopen, gid), kwargs={"done": "Reopened."})
    with st.form(key=f"group_ignore_form_{gid}", border=False):
        how, length, count, submit = st.columns([1.4, 1.2, 1.2, 1], vertical_alignment="bottom")
        how.radio("Ignore", ["for a time", "until more errors"], key=f"group_ignore_how_{gid}", horizontal=True)
        length.selectbox("For", list(IGNORE_FOR), format_func=IGNORE_FOR.get, key=f"group_ignore_for_{gid}")
        count.number_input("Until N more errors", min_value=1, max_value=groups.MAX_IGNORE_COUNT, value=10,
                           step=1, key=f"group_ignore_count_{gid}")
        submit.form_submit_button("Ignore", icon=":material/notifications_off:", disabled=bool(refused),
                                  help=refused, on_click=_ignore, args=(gid,))
    with st.form(key=f"group_assign_form_{gid}", border=False):
        who, go = st.columns([3, 1], vertical_alignment="bottom")
        who.text_input("Assignee", value=group.get("assignee") or "", key=f"group_assignee_{gid}",
                       max_chars=groups.MAX_ASSIGNEE, placeholder="name@company.com (empty = unassigned)")
        go.form_submit_button("Assign", icon=":material/person:", disabled=bool(refused), help=refused,
                              on_click=_assign, args=(gid,))
    with st.form(key=f"group_note_form_{gid}", clear_on_submit=True, border=False):
        st.text_area("Add a note", key=f"group_note_{gid}", max_chars=groups.MAX_NOTE, height=80,
                     placeholder="What you found, who you asked, what happens next")
        st.form_submit_button("Add note", icon=":material/edit_note:", disabled=bool(refused), help=refused,
                              on_click=_note, args=(gid,))
    notes = ui.query_frame("error_group_notes", group_id=gid)
    if not notes.empty:
        st.markdown("**Notes**")
        for note in notes.to_dict("records"):
            st.markdown(f"{ui.md(note['author'])} · {ui.local_time(note['written_at'])}")
            st.text(note["body"])
