"""Flow freshness: last successful sync, the stale threshold from history, its 15-minute floor and the override."""
from datetime import UTC, datetime, timedelta

import pytest

from entities import identity
from entities.watch import freshness

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
OPERATOR = identity.Principal("olle@example.com", role="operator")
VIEWER = identity.Principal("vera@example.com", role="viewer")


def sync_every(con, minutes: int, last_ago: int, entity_id: int = 30):
    """The sync engine wrote a successful customer sync every `minutes` for a week, the last `last_ago` min ago."""
    con.execute("insert into transactions (id, entity_id, occurred_at, operation, outcome, actor) "
                "select nextval('transaction_ids'), $entity, $last - to_minutes($every * k), 'update', 'success', "
                "'sync-engine' from range($n) as r(k)",
                {"entity": entity_id, "last": NOW - timedelta(minutes=last_ago), "every": minutes,
                 "n": 7 * 24 * 60 // minutes - 1})


def customer_flow(con) -> dict:
    return next(f for f in freshness.flows(con, 1, NOW) if f["type"] == "customer")


@pytest.mark.parametrize("every, last_ago, threshold, basis, stale", [
    (60, 110, 120, "history", False),   # hourly: stale after 2 h
    (60, 125, 120, "history", True),
    (5, 14, 15, "minimum", False),      # every 5 min: 2 x 5 = 10, raised to the 15-minute floor
    (5, 16, 15, "minimum", True),
])
def test_threshold_is_twice_the_usual_interval_at_least_15_minutes(con, every, last_ago, threshold, basis, stale):
    """A flow that syncs every N minutes is stale after 2 × N minutes without success, never under 15."""
    sync_every(con, every, last_ago)
    flow = customer_flow(con)
    assert (flow["threshold_minutes"], flow["basis"], flow["stale"]) == (threshold, basis, stale)
    assert flow["last_success_at"] == NOW - timedelta(minutes=last_ago)
    assert flow["usual_gap_minutes"] == every


@pytest.mark.parametrize("override, stale", [(30, False), (20, True)])
def test_operator_overrides_the_threshold(con, override, stale):
    """An operator sets 'stale after 30 minutes' on a 5-minute flow last synced 25 minutes ago: not stale."""
    sync_every(con, 5, 25)
    freshness.set_threshold(con, OPERATOR, 1, "customer", override)
    flow = customer_flow(con)
    assert (flow["threshold_minutes"], flow["basis"], flow["stale"]) == (override, "override", stale)
    actor, action, detail = con.execute("select actor, action, detail from audit_log order by id desc").fetchone()
    assert (actor, action) == (OPERATOR.name, "flow.threshold") and f"{override} min" in detail


def test_removing_the_override_goes_back_to_the_default(con):
    """Clearing the override makes the flow use twice its usual interval again."""
    sync_every(con, 60, 10)
    freshness.set_threshold(con, OPERATOR, 1, "customer", 15)
    freshness.set_threshold(con, OPERATOR, 1, "customer", None)
    assert (customer_flow(con)["threshold_minutes"], customer_flow(con)["basis"]) == (120, "history")


def test_stale_flows_come_first_and_disabled_flows_are_never_stale(con):
    """Flows without a recent success head the list; a disabled flow is not reported stale."""
    flows = freshness.flows(con, None, NOW)
    stale = [f["stale"] for f in flows]
    assert stale == sorted(stale, reverse=True)
    assert not any(f["stale"] for f in flows if not f["enabled"])
    never = next(f for f in flows if (f["integration_id"], f["type"]) == (2, "customer"))
    assert never["stale"] and never["last_success_at"] is None


@pytest.mark.parametrize("value, message", [("abc", "not a whole number"), (0, "1 to"), (10**7, "1 to")])
def test_bad_threshold_is_refused_with_a_message(con, value, message):
    """Typing a threshold that is not a sensible number of minutes gets a message and changes nothing."""
    with pytest.raises(freshness.FreshnessError, match=message):
        freshness.set_threshold(con, OPERATOR, 1, "customer", value)
    assert customer_flow(con)["basis"] != "override"


def test_unknown_flow_is_refused(con):
    """Setting a threshold on a flow the integration does not have says so."""
    with pytest.raises(freshness.FreshnessError, match="has no stock level flow"):
        freshness.set_threshold(con, OPERATOR, 2, "stock", 30)


def test_viewer_may_not_set_a_threshold(con):
    """A viewer cannot change a flow's threshold: the server refuses."""
    with pytest.raises(identity.Forbidden):
        freshness.set_threshold(con, VIEWER, 1, "customer", 30)


def test_database_missing_a_lower_numbered_migration_gets_it(fixture_db):
    """A database made before the freshness migration landed (at a higher version already) gets its table on open."""
    from entities import db

    con = db.connect(fixture_db)
    con.execute("drop table flow_settings; delete from schema_version where version = 20")
    con.close()
    con = db.connect(fixture_db)
    try:
        assert freshness.flows(con, 1, NOW)[0]["basis"] in ("history", "minimum")
        assert con.execute("select count(*) from schema_version where version = 20").fetchone() == (1,)
    finally:
        con.close()
