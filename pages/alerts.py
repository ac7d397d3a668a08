"""Alerts: what is firing now, the rules (create, edit, enable, snooze, delete), channels, and the history."""
from datetime import UTC, datetime

import streamlit as st

from entities import ui
from entities.identity import Forbidden
from entities.model import CHANNEL_KINDS, WEBHOOK_FORMATS
from entities.ui import alerts as al
from entities.ui import urlstate
from entities.watch import channels as notify
from entities.watch import evaluator
from entities.watch.rules import (
    RuleError,
    create_channel,
    create_rule,
    delete_channel,
    delete_rule,
    set_enabled,
    snooze,
    update_rule,
)

st.title("Alerts")
principal = ui.principal()
refused = ui.refusal(principal, "alerts")  # why the buttons are disabled, if they are; the server refuses anyway
con = ui.cursor()
al.show_flash()


def act(change, done: str) -> None:
    """Run a rule or channel change; say what happened, or why not, as text."""
    try:
        change()
    except (RuleError, Forbidden) as exc:
        st.error(ui.md(str(exc)))
        return
    al.flash(done)
    st.rerun()


rules_df = al.rules_frame()
integrations = {int(r.id): r.name for r in ui.query_df("integrations_list").itertuples()}
channel_df = al.channels_frame()
channel_names = {int(r.id): f"{r.name} ({r.kind})" for r in channel_df.itertuples()}
rule_ids = [int(i) for i in rules_df["id"]]
interval = evaluator.interval()

firing = rules_df[(rules_df["state"] == "firing") & rules_df["enabled"]]
st.subheader(f"Firing now: {len(firing)}")
st.caption(f"Rules are evaluated every {interval:g} s (ENTITIES_ALERT_INTERVAL)." if interval
           else "The evaluator is off (ENTITIES_ALERT_INTERVAL=0): rules are not evaluated.")
if firing.empty:
    st.success("Nothing is firing.")
else:
    for rule in al.records(firing):
        st.error(ui.md(al.firing_line(rule)), icon=":material/notifications_active:")
    st.dataframe(al.rules_table(firing), key="firing_table", hide_index=True, column_config=al.TABLE_LINKS)

if st.session_state.get("rule", 0) not in (0, *rule_ids):
    del st.session_state["rule"]  # deleted here or elsewhere: back to "new rule"
    st.query_params.pop("rule", None)
urlstate.bind("view", parse=urlstate.one_of(al.VIEWS), dump=urlstate.dump_one, default="rules")
urlstate.bind("rule", parse=urlstate.one_of(rule_ids, int), dump=urlstate.dump_one, default=0)
st.segmented_control("View", list(al.VIEWS), key="view", format_func=al.VIEWS.get, required=True,
                     label_visibility="collapsed")
view = st.session_state["view"]

if view == "rules":
    st.subheader(f"Rules ({len(rules_df)})")
    if rules_df.empty:
        st.info("No alert rules yet. Create one below.")
    else:
        st.dataframe(al.rules_table(rules_df), key="rules_table", hide_index=True, column_config=al.TABLE_LINKS)
    by_id = {int(r["id"]): r for r in al.records(rules_df)}
    st.selectbox("Edit rule", [0, *rule_ids], key="rule",
                 format_func=lambda i: "New rule…" if i == 0 else by_id[i]["name"])
    rule = by_id.get(st.session_state["rule"])
    with st.container(border=True):
        fields = al.rule_editor(rule, integrations, channel_names)
        if rule is None:
            if st.button("Create rule", key="rule_create", type="primary", disabled=bool(refused), help=refused):
                act(lambda: create_rule(con, principal, fields), f"Rule {fields['name'].strip()} created.")
        else:
            save, toggle, snooze_for, snooze_go, remove = st.columns([1, 1, 1, 1, 1], vertical_alignment="bottom")
            if save.button("Save changes", key="rule_save", type="primary", disabled=bool(refused), help=refused):
                act(lambda: update_rule(con, principal, rule["id"], fields), f"Rule {rule['name']} saved.")
            enabled = bool(rule["enabled"])
            if toggle.button("Disable" if enabled else "Enable", key="rule_toggle", disabled=bool(refused),
                             help=refused or "A disabled rule is not evaluated; disabling forgets its state."):
                act(lambda: set_enabled(con, principal, rule["id"], not enabled),
                    f"Rule {rule['name']} {'disabled' if enabled else 'enabled'}.")
            choice = snooze_for.selectbox("Snooze for", [*al.SNOOZES, "end"], key="rule_snooze_for",
                                          format_func=lambda s: "End snooze" if s == "end" else s)
            if snooze_go.button("Snooze", key="rule_snooze", disabled=bool(refused),
                                help=refused or "No notifications until then; still evaluated."):
                until = None if choice == "end" else datetime.now(UTC) + al.SNOOZES[choice]
                act(lambda: snooze(con, principal, rule["id"], until),
                    f"Rule {rule['name']} " + ("snooze ended." if until is None else f"snoozed for {choice}."))
            confirm = remove.checkbox("Confirm delete", key="rule_delete_confirm")
            if remove.button("Delete", key="rule_delete", disabled=not confirm or bool(refused), help=refused):
                act(lambda: delete_rule(con, principal, rule["id"]), f"Rule {rule['name']} deleted.")

elif view == "history":
    selected = st.session_state["rule"]
    history = al.history_frame(selected or None)
    st.subheader("History" + (" of one rule" if selected else ""))
    if selected:
        st.text(f"Showing only rule: {rules_df.set_index('id').at[selected, 'name']}")
    if history.empty:
        st.info("No rule has fired yet.")
    else:
        st.caption("Newest first: every time a rule fired or resolved, the value and threshold, and how each "
                   f"channel's notification went (tried up to {notify.MAX_ATTEMPTS} times with backoff).")
        st.dataframe(al.history_table(history), key="history_table", hide_index=True,
                     column_config={"link": st.column_config.LinkColumn("Open in app", display_text="open"),
                                    "deliveries": st.column_config.TextColumn("Deliveries", width="large")})

else:
    st.subheader(f"Channels ({len(channel_df)})")
    if channel_df.empty:
        st.info("No channels yet. A rule without channels still fires and shows here, but notifies nobody.")
    else:
        st.dataframe(al.channels_table(channel_df), key="channels_table", hide_index=True)
    st.caption(f"Webhooks are signed: {notify.SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of the raw body with the "
               "channel's secret>. Email uses the ENTITIES_SMTP_* settings.")
    with st.container(border=True):
        st.markdown("**New channel**")
        left, right = st.columns(2)
        new = {"name": left.text_input("Channel name", key="channel_name", max_chars=200),
               "kind": right.selectbox("Channel kind", CHANNEL_KINDS, key="channel_kind")}
        if new["kind"] == "webhook":
            new["url"] = left.text_input("Webhook URL", key="channel_url", placeholder="https://hooks.example.com/…")
            new["secret"] = right.text_input("Signing secret", key="channel_secret", type="password",
                                             help="At least 8 characters; receivers verify the signature with it.")
            new["body_format"] = left.selectbox("Body", WEBHOOK_FORMATS, key="channel_format",
                                                format_func={"json": "JSON event", "slack": "Slack {\"text\"}"}.get)
        else:
            new["recipients"] = left.text_input("Recipients", key="channel_recipients",
                                                placeholder="oncall@example.com, ops@example.com")
        if st.button("Create channel", key="channel_create", type="primary", disabled=bool(refused), help=refused):
            act(lambda: create_channel(con, principal, new), f"Channel {new['name'].strip()} created.")
    if not channel_df.empty:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        doomed = left.selectbox("Delete channel", list(channel_names), key="channel_delete_pick",
                                format_func=channel_names.get)
        if right.button("Delete channel", key="channel_delete", disabled=bool(refused), help=refused):
            act(lambda: delete_channel(con, principal, doomed), f"Channel {channel_names[doomed]} deleted.")
