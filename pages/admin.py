"""Admin: who gets which role. Rules from configuration are shown; rules set here are stored and audited."""
import pandas as pd
import streamlit as st

from entities import ui
from entities.identity import ROLES, Forbidden
from entities.web import roles

st.title("Admin: roles")
me = ui.principal()
ui.forbidden(me, "roles")

st.caption("A rule maps an email (`alice@example.com`), a domain (`@example.com`), a group from the sign-in's "
           f"{ui.md(roles.groups_claim())} claim (`group:ops-leads`) or anyone signed in (`*`) to a role. The most "
           "specific kind that matches decides: email, then group, then domain, then *; within a kind the highest "
           "role wins. Without a matching rule a person sees nothing.")
if not ui.auth_configured():
    st.info("Sign-in is not configured, so these rules apply to nobody yet: everyone here is the local admin.",
            icon=":material/info:")

configured, stored = ui.configured_rules(), ui.stored_rules()
table = pd.DataFrame([{"pattern": r.pattern, "kind": r.kind, "role": r.role, "source": r.source}
                      for r in [*configured, *stored]], columns=["pattern", "kind", "role", "source"])
st.subheader("Rules")
if table.empty:
    st.info("No rules yet: add one below, or set ENTITIES_ROLE_ADMIN / _OPERATOR / _VIEWER.")
else:
    st.dataframe(table, key="role_rules_table", hide_index=True, width="stretch")


def apply(change) -> None:
    try:
        change()
    except (ValueError, Forbidden) as exc:
        st.session_state["admin_flash"] = ("error", ui.md(exc))
        return
    ui.clear_cache()


flash = st.session_state.pop("admin_flash", None)
if flash:
    getattr(st, flash[0])(flash[1])

left, right = st.columns(2)
with left.form("role_rule_form", clear_on_submit=True, border=True):
    st.markdown("**Set a rule**")
    pattern = st.text_input("Pattern", key="role_rule_pattern", max_chars=roles.MAX_PATTERN,
                            placeholder="alice@example.com, @example.com, group:ops-leads or *")
    role = st.selectbox("Role", ROLES, key="role_rule_role")
    if st.form_submit_button("Save rule", type="primary"):
        apply(lambda: roles.set_rule(ui.cursor(), me, pattern, role))
        st.rerun()
with right.container(border=True):
    st.markdown("**Remove a rule set here**")
    patterns = [r.pattern for r in stored]
    picked = st.selectbox("Rule", patterns, key="role_rule_remove_pick", index=None,
                          placeholder="Pick a rule" if patterns else "No rules set here")
    if st.button("Remove rule", key="role_rule_remove", disabled=picked is None):
        apply(lambda: roles.remove_rule(ui.cursor(), me, picked))
        st.rerun()
    st.caption("Rules from configuration change only where they are configured.")

st.subheader("Check a person")
c1, c2 = st.columns(2)
email = c1.text_input("Email", key="role_check_email", placeholder="alice@example.com")
groups = c2.text_input("Groups (comma-separated)", key="role_check_groups", placeholder="ops-leads, finance")
if email or groups:
    found = roles.resolve(email, [g.strip().lower() for g in groups.split(",") if g.strip()], [*configured, *stored])
    st.markdown(f"Role: **{found or 'none (sees nothing)'}**")
st.page_link("pages/audit.py", label="Every change to these rules is in the audit", icon=":material/history:",
             query_params={"log": "changes"})
