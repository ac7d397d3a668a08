"""Alert rules, evaluation and notifications against the fixture database, a real HTTP receiver and a real SMTP
server. Evaluations take an explicit `now` (the fixture's clock is 2026-11-26 12:00 UTC) instead of sleeping."""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from alert_receivers import Inbox, Webhook, write_incident

import queries
from entities import db
from entities.identity import LOCAL_ADMIN, Forbidden, Principal
from entities.sync import handlers, policy, retry, worker
from entities.watch import channels, evaluator, groups, rules

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SECRET = "hook-secret-123"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def webhook():
    receiver = Webhook()
    yield receiver
    receiver.close()


@pytest.fixture
def inbox(monkeypatch):
    server = Inbox()
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    yield server
    server.close()


@pytest.fixture
def incident(fixture_db, tmp_path):
    """Six failed order syncs in Nordic Outdoor at 12:01, 12:02, … 12:06, imported before the test connects."""
    write_incident(fixture_db, tmp_path / "incident", [at(m) for m in range(1, 7)])
    return fixture_db


@pytest.fixture
def icon(incident):
    connection = db.connect(incident)
    yield connection
    connection.close()


def orders_rule(con, channel_ids=(), **overrides) -> int:
    fields = {"name": "Orders failing", "kind": "error_count", "integration_id": 1, "type": "order",
              "window_minutes": 10, "threshold": 5, "recovery_threshold": 3, "pending_seconds": 0,
              "channel_ids": list(channel_ids), **overrides}
    return rules.create_rule(con, LOCAL_ADMIN, fields, now=T0)


def hook_channel(con, url, body_format="json") -> int:
    return rules.create_channel(con, LOCAL_ADMIN, {"name": f"ops {body_format} hook", "kind": "webhook", "url": url,
                                                   "secret": SECRET, "body_format": body_format})


def mail_channel(con) -> int:
    return rules.create_channel(con, LOCAL_ADMIN, {"name": "on-call mail", "kind": "email",
                                                   "recipients": "oncall@example.com"})


def events(con) -> list[tuple[str, float]]:
    return [(e["event"], e["value"]) for e in reversed(queries.records(con, "alert_events_page", rule_id=None,
                                                                      limit=100))]


def run(con, minutes: list[float]) -> list[tuple[float, str]]:
    """Evaluate at each minute after 12:00 and send what is due; returns the rule's state after each."""
    states = []
    for m in minutes:
        evaluator.evaluate(con, now=at(m))
        channels.deliver_due(con, now=at(m))
        states.append((m, queries.records(con, "alert_rules_list")[0]["state"]))
    return states


def test_incident_fires_once_stays_quiet_and_resolves_once(icon, webhook, inbox):
    """An ops lead's rule on failing orders fires once in the incident, stays quiet, and resolves once after it."""
    orders_rule(icon, [hook_channel(icon, webhook.url), mail_channel(icon)])
    run(icon, [0, 5.5, 6.5, 7.5, 8.5, 12.5, 14.5, 16.5, 20])
    assert events(icon) == [("fired", 5.0), ("resolved", 2.0)]
    assert [webhook.json(i)["event"] for i in range(len(webhook.requests))] == ["fired", "resolved"]
    assert [m["message"]["Subject"].split("]")[0] for m in inbox.messages] == ["[FIRING", "[RESOLVED"]


def test_webhook_signature_verifies_with_the_channel_secret(icon, webhook):
    """The receiver recomputes HMAC-SHA256 over the raw body with its secret and gets the signature header."""
    orders_rule(icon, [hook_channel(icon, webhook.url)])
    run(icon, [5.5])
    request = webhook.requests[0]
    assert request["headers"]["X-Junipeer-Signature"].startswith("sha256=")
    assert channels.verify(SECRET, request["body"], request["headers"]["X-Junipeer-Signature"])
    assert not channels.verify("another-secret", request["body"], request["headers"]["X-Junipeer-Signature"])
    assert not channels.verify(SECRET, request["body"] + b" ", request["headers"]["X-Junipeer-Signature"])


def test_notification_carries_value_threshold_scope_and_deep_link(icon, webhook, monkeypatch):
    """The webhook body says what fired, by how much, where, and links to the failing orders in the app."""
    monkeypatch.setenv("ENTITIES_PUBLIC_URL", "https://entities.example.com/")
    orders_rule(icon, [hook_channel(icon, webhook.url)])
    run(icon, [5.5])
    body = webhook.json(0)
    assert (body["event"], body["value"], body["threshold"]) == ("fired", 5.0, 5.0)
    assert body["scope"] == "Nordic Outdoor · Orders"
    assert body["link"] == "https://entities.example.com/?integration=1&type=order&status=error"
    assert body["rule"]["name"] == "Orders failing" and body["text"].startswith("[FIRING] Orders failing: 5 ≥ 5")


def test_email_arrives_once_with_the_link(icon, inbox):
    """The on-call inbox gets one email when the rule fires, with value, threshold, scope and link."""
    orders_rule(icon, [mail_channel(icon)])
    run(icon, [5.5, 6.5, 7.5])
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["to"] == ["oncall@example.com"] and mail["from"] == "alerts@junipeer.test"
    text = mail["message"].get_content()
    assert "Value: 5" in text and "Threshold: 5" in text and "Nordic Outdoor · Orders" in text
    assert "http://localhost:8501/?integration=1&type=order&status=error" in text


def test_slack_format_posts_text_only(icon, webhook):
    """A Slack-compatible channel posts {"text": …} with the summary and the link, still signed."""
    orders_rule(icon, [hook_channel(icon, webhook.url, "slack")])
    run(icon, [5.5])
    body = webhook.json(0)
    assert list(body) == ["text"] and body["text"].startswith("[FIRING] Orders failing")
    assert channels.verify(SECRET, webhook.requests[0]["body"], webhook.requests[0]["headers"]["X-Junipeer-Signature"])


@pytest.mark.parametrize(("recovery", "resolved_at"), [(3, 14.5), (5, 12.5)])
def test_recovery_threshold_keeps_a_rule_firing_until_the_value_falls_below_it(icon, recovery, resolved_at):
    """With recovery 3 a rule that fired at 5 stays firing while 4 or 3 errors remain; with 5 it resolves at 4."""
    orders_rule(icon, recovery_threshold=recovery)
    states = run(icon, [5.5, 6.5, 12.5, 13.5, 14.5, 15.5])
    assert next(m for m, state in states if state == "ok") == resolved_at
    assert [e for e, _ in events(icon)] == ["fired", "resolved"]


def test_pending_period_delays_firing(icon):
    """A rule with a two-minute pending period fires only once the condition has held for two minutes."""
    orders_rule(icon, pending_seconds=120)
    assert run(icon, [5.5, 6.5, 7.5]) == [(5.5, "pending"), (6.5, "pending"), (7.5, "firing")]
    assert events(icon) == [("fired", 6.0)]


def test_condition_that_clears_within_the_pending_period_never_notifies(icon, webhook):
    """A burst shorter than the pending period goes pending and back to ok with no event and no notification."""
    orders_rule(icon, [hook_channel(icon, webhook.url)], pending_seconds=600)
    assert [s for _, s in run(icon, [5.5, 6.5, 12.5, 13.5])] == ["pending", "pending", "ok", "ok"]
    assert events(icon) == [] and webhook.requests == []


def test_failed_webhook_is_retried_with_backoff(icon, webhook, caplog):
    """A receiver answering 500 gets the same delivery again after the backoff, and the failure is logged."""
    webhook.statuses = [500]
    orders_rule(icon, [hook_channel(icon, webhook.url)])
    with caplog.at_level(logging.WARNING, "entities.alerts"):
        run(icon, [5.5])
    assert "HTTP 500" in caplog.text
    history = queries.records(icon, "alert_events_page", rule_id=None, limit=10)[0]
    assert history["deliveries"] == "ops json hook: queued after 1 attempt (HTTP 500 Internal Server Error)"
    channels.deliver_due(icon, now=at(5.5) + timedelta(seconds=channels.BACKOFF_SECONDS - 1))
    assert len(webhook.requests) == 1
    channels.deliver_due(icon, now=at(5.5) + timedelta(seconds=channels.BACKOFF_SECONDS))
    assert len(webhook.requests) == 2 and webhook.requests[0]["body"] == webhook.requests[1]["body"]
    history = queries.records(icon, "alert_events_page", rule_id=None, limit=10)[0]
    assert history["deliveries"] == "ops json hook: sent after 2 attempts"


def test_unreachable_webhook_gives_up_after_the_last_attempt(icon):
    """A webhook nobody listens on is tried MAX_ATTEMPTS times, then marked failed with the reason."""
    orders_rule(icon, [hook_channel(icon, "http://127.0.0.1:9/nobody")])
    evaluator.evaluate(icon, now=at(5.5))
    when = at(5.5)
    for attempt in range(1, channels.MAX_ATTEMPTS + 1):
        channels.deliver_due(icon, now=when)
        when += channels.backoff(attempt)
    delivery = queries.records(icon, "alert_deliveries_of_event", event_id=1)[0]
    assert (delivery["status"], delivery["attempts"]) == ("failed", channels.MAX_ATTEMPTS)
    assert "Connection" in delivery["last_error"] or "refused" in delivery["last_error"]


def test_email_without_smtp_settings_fails_with_a_reason(icon, monkeypatch):
    """Without ENTITIES_SMTP_HOST an email delivery records that email is not configured."""
    monkeypatch.delenv("ENTITIES_SMTP_HOST", raising=False)
    orders_rule(icon, [mail_channel(icon)])
    run(icon, [5.5])
    history = queries.records(icon, "alert_events_page", rule_id=None, limit=10)[0]
    assert "email is not configured: set ENTITIES_SMTP_HOST" in history["deliveries"]


def test_snoozed_rule_records_events_without_notifying(icon, webhook):
    """A snoozed rule still shows fired in the history, marked not sent, and posts nothing."""
    rule_id = orders_rule(icon, [hook_channel(icon, webhook.url)])
    rules.snooze(icon, LOCAL_ADMIN, rule_id, at(60), now=T0)
    run(icon, [5.5])
    history = queries.records(icon, "alert_events_page", rule_id=rule_id, limit=10)[0]
    assert (history["event"], history["deliveries"]) == ("fired", "snoozed: not sent")
    assert webhook.requests == []


def test_disabled_rule_is_not_evaluated(icon):
    """Disabling a rule stops it firing: no events however bad the data."""
    rule_id = orders_rule(icon)
    rules.set_enabled(icon, LOCAL_ADMIN, rule_id, False)
    evaluator.evaluate(icon, now=at(5.5))
    assert events(icon) == []


def test_slow_webhook_does_not_delay_evaluation(icon, webhook):
    """Evaluation only queues deliveries: the receiver sees nothing until deliveries are sent."""
    orders_rule(icon, [hook_channel(icon, webhook.url)])
    fired = evaluator.evaluate(icon, now=at(5.5))
    assert [e["event"] for e in fired] == ["fired"] and len(fired[0]["deliveries"]) == 1
    assert webhook.requests == []


@pytest.mark.parametrize(("overrides", "message"), [
    ({"threshold": "ten"}, "Threshold 'ten' is not a number."),
    ({"threshold": ""}, "Threshold is required."),
    ({"threshold": "nan"}, "Threshold 'nan' is not a number."),
    ({"recovery_threshold": "abc"}, "Recovery threshold 'abc' is not a number."),
    ({"integration_id": 99}, "Integration 99 does not exist."),
    ({"integration_id": "shop"}, "Integration 'shop' is not an integration id."),
    ({"type": "invoice"}, "Type 'invoice' is unknown; choose one of article, customer, order, stock."),
    ({"kind": "cpu"}, "Kind 'cpu' is unknown"),
    ({"window_minutes": 0}, "Window 0 is out of range: it must be between 1 and 10080."),
    ({"window_minutes": 20000}, "Window 20000 is out of range"),
    ({"window_minutes": 2.5}, "Window 2.5 must be a whole number of minutes."),
    ({"recovery_threshold": 9}, "Recovery threshold 9 must be at or below the threshold 5"),
    ({"name": "  "}, "Name is required."),
    ({"channel_ids": [42]}, "Channel 42 does not exist."),
])
def test_bad_rule_is_rejected_with_a_message(con, overrides, message):
    """A rule with a non-numeric threshold, an unknown scope or an out-of-range window is refused, saying why."""
    with pytest.raises(rules.RuleError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        orders_rule(con, **overrides)
    assert queries.records(con, "alert_rules_list") == []


def test_duplicate_rule_name_is_rejected(con):
    """A second rule with the same name (any case) is refused; the first is kept."""
    orders_rule(con)
    with pytest.raises(rules.RuleError, match="A rule named 'orders FAILING' already exists"):
        orders_rule(con, name="orders FAILING")
    assert len(queries.records(con, "alert_rules_list")) == 1


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "webhook", "url": "ftp://x", "secret": "long-enough"}, "must start with http:// or https://"),
    ({"kind": "webhook", "url": "http://127.0.0.1/hook", "secret": "short"}, "at least 8 characters"),
    ({"kind": "email", "recipients": "oncall at example"}, "'oncall' is not an email address."),
    ({"kind": "email", "recipients": ""}, "needs at least one recipient"),
    ({"kind": "pager"}, "Channel kind 'pager' is unknown"),
])
def test_bad_channel_is_rejected_with_a_message(con, fields, message):
    """A channel with a bad URL, a short secret or no valid address is refused, saying why."""
    with pytest.raises(rules.RuleError, match=message):
        rules.create_channel(con, LOCAL_ADMIN, {"name": "x", **fields})


def test_viewer_may_not_change_rules(con):
    """A viewer's rule change is refused by the server, whatever the page shows."""
    viewer = Principal("viewer@example.com", role="viewer")
    with pytest.raises(Forbidden, match="may not alerts"):
        rules.create_rule(con, viewer, {"name": "x", "kind": "retry_depth", "threshold": 1})


def test_rule_changes_are_audited_with_the_actor(con):
    """Create, edit, snooze, disable and delete each leave an audit row naming who did it."""
    rule_id = orders_rule(con)
    rules.update_rule(con, LOCAL_ADMIN, rule_id, {"name": "Orders failing", "kind": "error_count", "threshold": 8,
                                                  "integration_id": 1})
    rules.snooze(con, LOCAL_ADMIN, rule_id, datetime.now(UTC) + timedelta(hours=1))
    rules.set_enabled(con, LOCAL_ADMIN, rule_id, False)
    rules.delete_rule(con, LOCAL_ADMIN, rule_id)
    rows = con.execute("select actor, action, target from audit_log order by id").fetchall()
    assert [r[1] for r in rows] == ["alert_rule.create", "alert_rule.update", "alert_rule.snooze",
                                    "alert_rule.disable", "alert_rule.delete"]
    assert {r[0] for r in rows} == {LOCAL_ADMIN.name} and rows[0][2] == f"alert rule {rule_id} (Orders failing)"


@pytest.mark.parametrize(("kind", "extra", "value"), [
    ("stuck_pending", {"age_minutes": 30}, 1.0),  # #1003 pending since 11:00; C-1002 only since 11:58
    ("stuck_pending", {"age_minutes": 1}, 2.0),
    ("stuck_pending", {"age_minutes": 30, "integration_id": 2}, 0.0),
    ("retry_depth", {}, 2.0),
    ("retry_depth", {"type": "customer"}, 0.0),
    ("retry_age", {}, 10.0),
])
def test_rule_kinds_compute_their_value(con, kind, extra, value):
    """Each kind's value is what an ops lead counts by hand: pending records, open retries, the oldest's age."""
    retry.request(con, [2, 4], LOCAL_ADMIN)
    now = datetime.now(UTC) + timedelta(minutes=10) if kind == "retry_age" else T0
    rule_id = rules.create_rule(con, LOCAL_ADMIN, {"name": kind, "kind": kind, "threshold": 1, **extra}, now=T0)
    rule = queries.records(con, "alert_rules_list")[0]
    assert evaluator.values(con, [rule], now) == {rule_id: pytest.approx(value, abs=0.1)}


@pytest.mark.parametrize(("scope", "value"), [({}, 4.0), ({"integration_id": 1}, 2.0), ({"type": "order"}, 1.0),
                                              ({"integration_id": 1, "type": "order"}, 0.0)])
def test_flow_stale_counts_the_stale_flows_in_scope(con, scope, value):
    """A flow-stale rule counts the enabled flows with no success for longer than their threshold, in its scope."""
    rule_id = rules.create_rule(con, LOCAL_ADMIN, {"name": "stale", "kind": "flow_stale", "threshold": 1, **scope})
    rule = queries.records(con, "alert_rules_list")[0]
    assert evaluator.values(con, [rule], T0) == {rule_id: value}


def test_regressed_group_fires_a_group_regressed_rule(con, fixture_db, tmp_path, webhook):
    """Ops resolved the rate-limit group; when it fails again the group regresses and the rule notifies once."""
    groups.sync(con, T0)
    group_id = next(r["id"] for r in queries.records(con, "error_group_table", integration=None,
                                                      states=["open"], group_id=None)
                    if r["error_code"] == "RATE_LIMITED")
    groups.resolve(con, LOCAL_ADMIN, group_id, now=T0)
    rules.create_rule(con, LOCAL_ADMIN, {"name": "Regressions", "kind": "group_regressed", "threshold": 1,
                                         "integration_id": 1, "channel_ids": [hook_channel(con, webhook.url)]})
    run(con, [1])
    write_incident(fixture_db, tmp_path / "again", [at(2)], refs=("#1001",),
                   message="Rate limit exceeded: 429 Too Many Requests (retry after 30 s)")
    groups.sync(con, at(3))
    run(con, [3, 4])
    assert events(con) == [("fired", 1.0)]
    assert webhook.json(0)["scope"] == "Nordic Outdoor · all types"


def timing_out(job):
    return handlers.Outcome("error", "Webhook did not answer within 10 s", job.body_text(), error_code="TIMEOUT")


def evaluate_now(con) -> None:
    """The worker stamps gave-up events with the wall clock, so these evaluations run at it too."""
    evaluator.evaluate(con, now=datetime.now(UTC))
    channels.deliver_due(con)


def test_gave_up_rule_fires_once_when_auto_retry_gives_up_and_resolves_after_a_retry_by_hand(con, webhook):
    """Ops are told once when the policy gives up on an order, and once more when a retry by hand fixes it."""
    rules.create_rule(con, LOCAL_ADMIN, {"name": "Gave up", "kind": "gave_up", "threshold": 1, "integration_id": 1,
                                         "type": "order", "channel_ids": [hook_channel(con, webhook.url)]})
    evaluate_now(con)
    retry.request(con, [4], LOCAL_ADMIN)
    worker.Worker(con, timing_out, policies={1: policy.Policy(max_attempts=1)}).drain()
    evaluate_now(con)
    evaluate_now(con)
    retry.request(con, [4], LOCAL_ADMIN)
    worker.Worker(con, handlers.simulated, policies={1: policy.Policy(max_attempts=1)}).drain()
    evaluate_now(con)
    evaluate_now(con)
    assert events(con) == [("fired", 1.0), ("resolved", 0.0)]
    assert [webhook.json(i)["event"] for i in range(len(webhook.requests))] == ["fired", "resolved"]
    body = webhook.json(0)
    assert body["scope"] == "Nordic Outdoor · Orders"
    assert body["link"].endswith("/?integration=1&type=order&status=error&gave_up=1")


@pytest.mark.parametrize(("scope", "value"), [({}, 1.0), ({"integration_id": 1, "type": "order"}, 1.0),
                                              ({"integration_id": 2}, 0.0), ({"type": "article"}, 0.0)])
def test_gave_up_rule_counts_given_up_records_in_scope(con, scope, value):
    """A gave-up rule counts the records in its scope that the auto-retry policy gave up on."""
    retry.request(con, [4], LOCAL_ADMIN)
    worker.Worker(con, timing_out, policies={1: policy.Policy(max_attempts=1)}).drain()
    rule_id = rules.create_rule(con, LOCAL_ADMIN, {"name": "gave up", "kind": "gave_up", "threshold": 1, **scope})
    rule = queries.records(con, "alert_rules_list")[0]
    assert evaluator.values(con, [rule], T0) == {rule_id: value}


def test_group_spike_fires_on_a_new_group_and_resolves_after_the_window(icon, webhook):
    """A spike rule on Nordic Outdoor fires once when a new error group bursts, and resolves once it has passed."""
    rules.create_rule(icon, LOCAL_ADMIN, {"name": "Spikes", "kind": "group_spike", "integration_id": 1,
                                          "window_minutes": 10, "min_volume": 3, "threshold": 5,
                                          "recovery_threshold": 2, "channel_ids": [hook_channel(icon, webhook.url)]})
    run(icon, [0, 5.5, 6.5, 7.5, 20])
    assert events(icon) == [("fired", 5.0), ("resolved", 0.0)]
    assert [webhook.json(i)["event"] for i in range(len(webhook.requests))] == ["fired", "resolved"]


@pytest.mark.parametrize("minutes", [0, 6.5, 14, 30])
def test_kept_baselines_give_the_values_a_full_scan_gives(icon, minutes):
    """Between baseline refreshes, spike and stale-flow values are what scanning the whole week gives."""
    for i, (kind, scope) in enumerate([("group_spike", {}), ("group_spike", {"integration_id": 1, "type": "order"}),
                                       ("flow_stale", {}), ("flow_stale", {"integration_id": 1})]):
        rules.create_rule(icon, LOCAL_ADMIN, {"name": f"rule {i}", "kind": kind, "threshold": 1, "window_minutes": 10,
                                              "min_volume": 1, **scope})
    listed = queries.records(icon, "alert_rules_list")
    evaluator.values(icon, listed, T0)  # the baselines are taken at 12:00 and kept
    assert evaluator.values(icon, listed, at(minutes)) == evaluator.values(icon, listed, at(minutes), before=True)


def test_stale_flow_recovers_on_a_success_after_the_kept_history(con):
    """An hourly flow two hours late is stale; one success a minute later clears it without waiting for a refresh."""
    con.execute("insert into transactions (id, entity_id, occurred_at, operation, outcome, actor) "
                "select nextval('transaction_ids'), 30, $last - to_minutes(60 * k), 'update', 'success', 'sync-engine' "
                "from range(160) as r(k)", {"last": at(-125)})
    rule_id = rules.create_rule(con, LOCAL_ADMIN, {"name": "stale customers", "kind": "flow_stale", "threshold": 1,
                                                   "integration_id": 1, "type": "customer"})
    rule = queries.records(con, "alert_rules_list")[0]
    assert evaluator.values(con, [rule], T0) == {rule_id: 1.0}
    con.execute("insert into transactions (id, entity_id, occurred_at, operation, outcome, actor) "
                "values (nextval('transaction_ids'), 30, $t, 'update', 'success', 'sync-engine')", {"t": at(1)})
    con.execute("update entities set status = 'synced', last_updated = $t where id = 30", {"t": at(1)})
    assert evaluator.values(con, [rule], at(2)) == {rule_id: 0.0}
