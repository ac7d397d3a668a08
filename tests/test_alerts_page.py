"""The /alerts page in AppTest: rules are created and rejected with the domain's message, firing rules head it."""
from datetime import UTC, datetime, timedelta

from conftest import open_app, rerun

import queries
from entities import db, ui
from entities.identity import LOCAL_ADMIN
from entities.watch import evaluator, rules


def fill_rule(at, **values):
    for key, value in values.items():
        at.text_input(key=f"rule_{key}_new").set_value(value) if key != "kind" else \
            at.selectbox(key="rule_kind_new").set_value(value)
    at.button(key="rule_create").click()
    return rerun(at)


def stored_rules(path):
    con = db.connect(path)
    try:
        return queries.records(con, "alert_rules_list")
    finally:
        con.close()


def test_non_numeric_threshold_is_refused_with_a_message(app_env):
    """Typing 'ten' as the threshold and creating the rule shows why it was refused and stores nothing."""
    at = fill_rule(open_app("alerts"), name="Orders failing", threshold="ten")
    assert not at.exception
    assert any("Threshold 'ten' is not a number." in e.value for e in at.error)
    db.close_shared()
    assert stored_rules(app_env) == []


def test_created_rule_is_listed_with_its_scope(app_env):
    """Creating a stuck-pending rule lists it with its kind, scope and thresholds."""
    at = open_app("alerts")
    at.selectbox(key="rule_kind_new").set_value("stuck_pending")
    at = rerun(at)
    at = fill_rule(at, name="Stuck <b>orders</b>", threshold="3", recovery="1", age_minutes="45")
    assert not at.exception
    assert at.success[0].value == ui.md("Rule Stuck <b>orders</b> created.")  # shown as typed
    table = at.dataframe[0].value
    assert table[["name", "kind", "scope", "threshold"]].values.tolist() == [
        ["Stuck <b>orders</b>", "Stuck pending", "all integrations · all types", "≥ 3 (resolves < 1)"]]


def test_firing_rule_heads_the_page(app_env):
    """A rule that fired is shown at the top: its name, value against threshold and scope, as text."""
    con = db.connect(app_env)
    rules.create_rule(con, LOCAL_ADMIN, {"name": "**Pending** <img src=x>", "kind": "stuck_pending",
                                         "threshold": 1, "age_minutes": 30, "integration_id": 1})
    evaluator.evaluate(con, now=datetime.now(UTC) + timedelta(minutes=1))
    con.close()
    at = open_app("alerts")
    assert not at.exception
    assert at.subheader[0].value == "Firing now: 1"
    assert at.error[0].value.startswith(ui.md("**Pending** <img src=x>: 2 ≥ 1 records pending longer than the age · "
                                              "Nordic Outdoor · all types · for"))


def test_history_lists_fired_event_with_delivery_status(app_env):
    """The history view shows the fired event with its value and each channel's delivery status."""
    con = db.connect(app_env)
    hook = rules.create_channel(con, LOCAL_ADMIN, {"name": "hook", "kind": "webhook",
                                                   "url": "http://127.0.0.1:9/x", "secret": "12345678"})
    rules.create_rule(con, LOCAL_ADMIN, {"name": "Pending", "kind": "stuck_pending", "threshold": 1,
                                         "age_minutes": 30, "channel_ids": [hook]})
    evaluator.evaluate(con, now=datetime.now(UTC))
    con.close()
    at = open_app("alerts", view="history")
    assert not at.exception
    history = at.dataframe[-1].value
    assert history[["rule", "event", "value", "threshold", "deliveries"]].values.tolist() == [
        ["Pending", "FIRED", "2", "≥ 1", "hook: queued"]]
