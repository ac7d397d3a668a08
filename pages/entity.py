"""Entity detail at /entity?id=N: header and current error, transaction history, raw payloads and diff, children,
and Retry. Reads are uncached on purpose: the background worker writes here, and each read is a key lookup."""
import html
from datetime import UTC, datetime

import pyarrow as pa
import streamlit as st

import queries
from entities import ui
from entities.identity import Forbidden
from entities.model import OPEN_RETRY_STATES, OUTCOME_COLORS, SEVERITY_COLORS, STATUS, TYPE
from entities.sync import retry
from entities.ui import money, payloads

HISTORY_PAGE_SIZE = 25
CHANGE_COLORS = {"changed": "#d69e2e", "emptied": "#d64545", "added": "#1f9d55", "removed": "#d64545"}


def not_found(raw: str) -> None:
    st.title("No such entity")
    shown = f"“{ui.md(raw)}”" if raw.strip() else "(none given)"
    st.error(f"No entity with id {shown}. Check the link, or find the record by its reference in the list.",
             icon=":material/search_off:")
    st.page_link("pages/entities_list.py", label="Back to the entities list", icon=":material/arrow_back:")


def header(e: dict) -> None:
    kind = TYPE[e["type"]].singular if e["type"] in TYPE else e["type"]
    st.page_link("pages/entities_list.py", label="Entities", icon=":material/arrow_back:")
    st.title(f"{kind} {ui.md(e['retriever_ref'])}", anchor=False)
    described = STATUS[e["status"]].description if e["status"] in STATUS else ""
    st.markdown(f"{ui.status_badge(e['status'])} &nbsp; {described} &nbsp;·&nbsp; **{ui.md(e['integration'])}**: "
                f"{ui.md(e['retriever'])} → {ui.md(e['storer'])}", unsafe_allow_html=True)
    shows_total = (e["total"] is not None or e["currency"] is not None
                   or (e["type"] in TYPE and TYPE[e["type"]].has_total))
    refs = st.columns([2, 2, 1, 2, 2, 2] if shows_total else [2, 2, 1, 2, 2])
    with refs[0]:
        st.caption(f"Retriever reference ({ui.md(e['retriever'])})")
        st.code(e["retriever_ref"], language=None)
    with refs[1]:
        st.caption(f"Storer reference ({ui.md(e['storer'])})")
        if e["storer_ref"]:
            st.code(e["storer_ref"], language=None)
        else:
            st.markdown("*not stored yet*")
    children_label = TYPE[e["type"]].children_label if e["type"] in TYPE else "children"
    refs[2].metric(children_label.capitalize(), e["children"])
    if shows_total:
        total_cell(refs.pop(3), e)
    with refs[3]:
        st.caption("Created")
        st.markdown(f"{ui.local_time(e['created_at'])}  \n{ui.relative_age(e['created_at'])}")
    with refs[4]:
        st.caption("Last updated")
        st.markdown(f"{ui.local_time(e['last_updated'])}  \n{ui.relative_age(e['last_updated'])}")


def total_cell(column, e: dict) -> None:
    """The total as text with its currency ('1,234.50 SEK'), exactly as imported; never through a float."""
    with column:
        st.caption("Total")
        if e["total"] is None:
            currency = f" (currency {ui.md(e['currency'])})" if e["currency"] else ""
            st.markdown(f"*not given*{currency}", help="The sync data did not include a total for this record.")
        else:
            st.markdown(f"**{ui.md(money.money(e['total'], e['currency']))}**")


def current_error(e: dict) -> None:
    if e["status"] != "error" or not e["error_code"]:
        return
    severity = e["severity"] or "unknown"
    color = SEVERITY_COLORS.get(severity, "#718096")
    st.markdown(f'<span style="border:1px solid {color};color:{color};border-radius:0.6rem;padding:0.05rem 0.6rem;'
                f'font-size:0.85rem;font-weight:600">{html.escape(severity.capitalize())} severity</span>',
                unsafe_allow_html=True)
    text = f"**{ui.md(e['error_code'])}**" + (f" · {ui.md(e['error_title'])}" if e["error_title"] else "")
    text += f"\n\n{ui.md(e['error_message'] or '')}"
    if e["error_cause"]:
        text += f"\n\n**Cause:** {ui.md(e['error_cause'])}\n\n**Fix:** {ui.md(e['error_fix'])}"
    else:
        text += "\n\nThis error code is not in the error catalogue."
    box = st.error if severity in ("high", "critical", "unknown") else st.warning
    box(text, icon=":material/error:")


def gave_up_note(e: dict) -> None:
    if e["gave_up_at"]:
        attempts = e["gave_up_attempts"]
        st.warning(f"**Auto-retry gave up** at {ui.local_time(e['gave_up_at'])} after {attempts} "
                   f"attempt{'s' if attempts != 1 else ''}; the last one failed with {e['gave_up_code']}: "
                   f"{e['gave_up_message'] or ''}\n\nA retry by hand starts the attempts again.",
                   icon=":material/do_not_disturb_on:")


def retry_section(cur, e: dict) -> None:
    flash = st.session_state.pop(f"retry_flash_{e['id']}", None)
    if flash:
        getattr(st, flash[0])(flash[1])
    gave_up_note(e)
    confirming = f"retry_confirming_{e['id']}"
    if not st.session_state.get(confirming):
        if e["request_id"] is not None:
            watch_retry(e["id"], e["request_id"])
            return
        if st.session_state.pop(f"retry_watch_{e['id']}", False):
            show_outcome(cur, e["id"])  # also when the worker finished before the watcher was first drawn
        refused = ui.refusal(ui.principal(), "retry") or ui.write_block()
        if st.button("Retry", key="retry_start", icon=":material/replay:", type="primary", disabled=bool(refused),
                     help=refused or "Re-sync this record now"):
            st.session_state[confirming] = True
            st.rerun()
        return
    # the confirmation stays until answered, so a click on it is honoured even if someone else queued meanwhile
    with st.container(border=True, key="retry_confirm_box"):
        if e["storer_ref"]:
            st.markdown(f"This record already exists in **{ui.md(e['storer'])}** as **{ui.md(e['storer_ref'])}**; "
                        "the retry will "
                        "update that record rather than create a new one.")
        else:
            st.markdown(f"The retry will create this record in **{ui.md(e['storer'])}**.")
        st.caption(f"Requested as {ui.md(ui.principal().name)}.")
        go, cancel, _ = st.columns([1, 1, 6])
        blocked = ui.write_block()
        if go.button("Confirm retry", key="retry_confirm", type="primary", disabled=bool(blocked), help=blocked):
            st.session_state[confirming] = False
            request_retry(cur, e["id"])
        if cancel.button("Cancel", key="retry_cancel"):
            st.session_state[confirming] = False
            st.rerun()


def request_retry(cur, entity_id: int) -> None:
    try:
        result = retry.request(cur, [entity_id], ui.principal())
    except Forbidden as exc:
        st.session_state[f"retry_flash_{entity_id}"] = ("error", ui.md(str(exc)))
        st.rerun()
    ui.clear_cache()
    if result.queued:
        st.session_state[f"retry_watch_{entity_id}"] = True
        st.session_state[f"retry_flash_{entity_id}"] = ("info", "Retry queued. The outcome appears here when done.")
    elif result.missing:
        st.session_state[f"retry_flash_{entity_id}"] = ("error", f"No entity with id {entity_id}.")
    else:
        found = retry.open_request(cur, entity_id)
        since = f" since {ui.local_time(found['requested_at'])} (by {ui.md(found['requested_by'])})" if found else ""
        st.session_state[f"retry_flash_{entity_id}"] = (
            "warning", f"A retry for this record is already queued/running{since}. It was not requested again.")
    st.rerun()


@st.fragment(run_every=1)
@ui.guarded
def watch_retry(entity_id: int, request_id: int) -> None:
    cur = ui.cursor()
    request = next((r for r in queries.records(cur, "retry_requests_of_entity", entity_id=entity_id)
                    if r["id"] == request_id), None)
    if request and request["state"] in OPEN_RETRY_STATES:
        found = retry.state(cur, entity_id) or {}
        attempt = f"Attempt {request['attempt']} of {found.get('max_attempts', '?')}. " if request["attempt"] > 1 \
            else ""
        waiting = request["state"] == "queued" and request["not_before"] and \
            request["not_before"] > datetime.now(UTC)
        if waiting:
            st.info(f"{attempt}Automatic retry by {ui.md(request['requested_by'])}: next attempt at "
                    f"{ui.local_time(request['not_before'])} (in {_until(request['not_before'])}), after the last "
                    "one failed with a transient error.", icon=":material/schedule:")
            if st.button("Retry now", key="retry_now", icon=":material/replay:",
                         help="Retry at once as yourself; the attempts start again at 1."):
                request_retry(cur, entity_id)
            return
        st.info(f"{attempt}Retry {request['state']} since {ui.local_time(request['requested_at'])} "
                f"(requested by {ui.md(request['requested_by'])}); this page updates when it finishes.",
                icon=":material/hourglass_top:")
        return
    ui.clear_cache()
    st.rerun(scope="app")


def _until(moment) -> str:
    seconds = max(0, int((moment - datetime.now(UTC)).total_seconds()))
    return f"{seconds} s" if seconds < 120 else f"{seconds // 60} min"


def show_outcome(cur, entity_id: int) -> None:
    latest = next(iter(queries.records(cur, "retry_requests_of_entity", entity_id=entity_id)), None)
    done = latest and next(iter(queries.records(cur, "transaction_payloads", entity_id=entity_id,
                                                transaction_id=latest["transaction_id"])), None)
    if done:
        level = {"success": "success", "error": "error"}.get(done["outcome"], "info")
        getattr(st, level)(f"Retry finished: {ui.md(done['outcome'])}.")


def history(cur, entity_id: int) -> list[dict]:
    page_key = "history_page"
    page = max(1, int(st.session_state.get(page_key, 1)))
    rows = queries.records(cur, "entity_history", entity_id=entity_id, page_size=HISTORY_PAGE_SIZE,
                           offset=(page - 1) * HISTORY_PAGE_SIZE)
    if not rows and page > 1:
        st.session_state[page_key] = page = 1
        rows = queries.records(cur, "entity_history", entity_id=entity_id, page_size=HISTORY_PAGE_SIZE, offset=0)
    if not rows:
        st.caption("No transactions recorded for this record yet.")
        return []
    total = rows[0]["total"]
    pages = -(-total // HISTORY_PAGE_SIZE)
    tz = ui.viewer_tz()
    latest = rows[0] if page == 1 else None
    st.caption(f"{total} transaction{'s' if total != 1 else ''}, newest first"
               + (f" · page {page} of {pages}" if pages > 1 else "")
               + (f" · latest: {ui.md(latest['operation'])} {ui.md(latest['outcome'])} at"
                  f" {ui.local_time(latest['occurred_at'], tz)}"
                  if latest else ""))
    table = pa.table({  # straight to Arrow, which st.dataframe sends as is: no pandas frame to build and convert
        "Time": [ui.local_time(r["occurred_at"], tz) for r in rows],
        "Operation": [r["operation"] for r in rows],
        "Outcome": [[r["outcome"]] for r in rows],
        "Duration (ms)": [r["duration_ms"] for r in rows],
        "Actor": [r["actor"] for r in rows],
        "Error code": [r["error_code"] or "" for r in rows],
        "Message": [r["message"] or "" for r in rows],
    })
    st.dataframe(table, hide_index=True, width="stretch", key="history_table",
                 column_config={"Outcome": ui.pill_column("Outcome", OUTCOME_COLORS),
                                "Duration (ms)": st.column_config.NumberColumn(format="localized")})
    if pages > 1:
        st.number_input("Page", min_value=1, max_value=pages, step=1, key=page_key, width=160)
    return rows


def raw_data(cur, entity_id: int, rows: list[dict]) -> None:
    if not rows:
        return
    by_id = {r["id"]: r for r in rows}
    ids = list(by_id)
    failed = next((r["id"] for r in rows if r["outcome"] == "error"), ids[0])
    if st.session_state.get("raw_transaction") not in by_id:
        st.session_state["raw_transaction"] = failed
    tz = ui.viewer_tz()
    chosen = st.selectbox(
        "Transaction", ids, key="raw_transaction",
        format_func=lambda i: (f"{ui.local_time(by_id[i]['occurred_at'], tz)} · {by_id[i]['operation']} · "
                               f"{by_id[i]['outcome']}" + (f" · {by_id[i]['error_code']}" if by_id[i]['error_code']
                                                           else "")),
        help="Transactions on the history page shown above.")
    found = queries.records(cur, "transaction_payloads", entity_id=entity_id, transaction_id=chosen)
    if not found:
        return
    tx = found[0]
    sent, received = st.columns(2)
    with sent:
        payloads.show(st, "Request (sent)", tx["request_payload"], key=f"tx{chosen}_request")
    with received:
        payloads.show(st, "Response (received)", tx["response_payload"], key=f"tx{chosen}_response")
    if tx["outcome"] == "error":
        payload_diff(cur, entity_id, tx)


def payload_diff(cur, entity_id: int, tx: dict) -> None:
    st.subheader("What changed since the last success", divider="gray")
    baseline = queries.records(cur, "transaction_last_success_before", entity_id=entity_id, before=tx["occurred_at"])
    if not baseline:
        st.caption("No earlier successful transaction with a request payload to compare with.")
        return
    base = baseline[0]
    rows = payloads.diff_texts(base["request_payload"], tx["request_payload"], unchanged=True)
    st.caption(f"Request of this failed {ui.md(tx['operation'])} compared with the successful "
               f"{ui.md(base['operation'])} of {ui.local_time(base['occurred_at'])}: changed values first, then "
               "emptied, added and removed fields.")
    if rows is None:
        st.info("One of the two requests is not valid JSON, so they cannot be compared field by field.")
        return
    changes = [r for r in rows if r["change"] != "unchanged"]
    same = [r for r in rows if r["change"] == "unchanged"]
    if not changes:
        st.info("The requests are identical: the failure is not caused by a changed field.")
    else:
        table = pa.table({"Path": [r["path"] for r in changes], "Before": [r["before"] for r in changes],
                          "After": [r["after"] for r in changes], "Change": [[r["change"]] for r in changes]})
        st.dataframe(table, hide_index=True, width="stretch", key="diff_table",
                     column_config={"Change": ui.pill_column("Change", CHANGE_COLORS)})
    if same:
        with st.expander(f"{len(same)} unchanged field{'s' if len(same) != 1 else ''}"):
            st.dataframe(pa.table({"Path": [r["path"] for r in same], "Value": [r["after"] for r in same]}),
                         hide_index=True, width="stretch", key="diff_unchanged_table")


EMPTY_REF = "(empty)"


def children_note(label: str, reported: int, listed: int) -> str | None:
    """Why the count in the header and the lines listed here differ, when they do."""
    if reported == listed:
        return None
    if listed == 0:
        return (f"The sync engine reports {reported} {label} for this record, but none were imported: import its "
                "children (a children file or batch) to list them here.")
    if listed < reported:
        return (f"The sync engine reports {reported} {label}; {listed} are listed here. The other "
                f"{reported - listed} were not imported (see the children import's rejects file).")
    return (f"{listed} {label} are listed here, but the record's count says {reported}: the entity row was "
            "exported before its last lines were added. The next entity import updates the count.")


def children(cur, entity: dict) -> None:
    rows = queries.records(cur, "entity_children", entity_id=entity["id"])
    label = TYPE[entity["type"]].children_label if entity["type"] in TYPE else "children"
    note = children_note(label, entity["children"], len(rows))
    if note:
        st.info(note, icon=":material/info:")
    if not rows:
        if not note:
            st.caption("This record has no children.")
        return
    failed = [r for r in rows if r["status"] == "error"]
    if failed:
        st.error("Failed: " + "; ".join(f"line {r['line_no']} ({ui.md(r['retriever_ref']) or EMPTY_REF}): "
                                        f"{ui.md(r['error_message'])}" for r in failed), icon=":material/warning:")
    table = pa.table({
        "Line": [r["line_no"] for r in rows],
        "Status": [[ui.status_label(r["status"])] for r in rows],
        "Retriever reference": [r["retriever_ref"] or EMPTY_REF for r in rows],
        "Storer reference": [r["storer_ref"] or "" for r in rows],
        "Description": [r["description"] or "" for r in rows],
        "Quantity": [money.plain_quantity(r["quantity"]) for r in rows],
        "Amount": [money.money(r["amount"], r["currency"]) for r in rows],
        "Error": [r["error_message"] or "" for r in rows],
    })
    st.dataframe(table, hide_index=True, width="stretch", key="children_table",
                 column_config={"Status": ui.pill_column("Status", {s.label: s.color for s in STATUS.values()})})
    total = money.totals(rows)
    if total:
        st.caption(total)


raw_id, entity_id = ui.requested_entity_id()
cur = ui.cursor()
found = queries.records(cur, "entity_detail_page", entity_id=entity_id) if entity_id is not None else []
if not found:
    not_found(raw_id)
    st.stop()
entity = found[0]
header(entity)
current_error(entity)
retry_section(cur, entity)
history_tab, raw_tab, children_tab = st.tabs(["Transaction history", "Raw data", f"Children ({entity['children']})"])
with history_tab:
    history_rows = history(cur, entity["id"])
with raw_tab:
    raw_data(cur, entity["id"], history_rows)
with children_tab:
    children(cur, entity)
