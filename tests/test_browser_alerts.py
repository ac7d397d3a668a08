"""In a real browser against a real server whose evaluator runs every second: an incident burst posted to the live
API makes a rule fire once, notify a real webhook receiver and a real SMTP inbox, show on /alerts, and resolve once
after the burst."""
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from alert_receivers import Inbox, Webhook, incident_events
from conftest import wait_until

from entities import db
from entities.identity import LOCAL_ADMIN
from entities.watch import channels, rules
from entities.web import tokens

pytestmark = pytest.mark.browser
SECRET = "burst-secret-1"


@pytest.fixture
def webhook():
    receiver = Webhook()
    yield receiver
    receiver.close()


@pytest.fixture
def inbox():
    server = Inbox()
    yield server
    server.close()


def configure(path: Path, webhook: Webhook) -> str:
    """The ops lead's rule on failing orders with a webhook and an email channel; returns the feed's ingest token."""
    con = db.connect(path)
    hook = rules.create_channel(con, LOCAL_ADMIN, {"name": "ops hook", "kind": "webhook", "url": webhook.url,
                                                   "secret": SECRET})
    mail = rules.create_channel(con, LOCAL_ADMIN, {"name": "on-call", "kind": "email",
                                                   "recipients": "oncall@example.com"})
    rules.create_rule(con, LOCAL_ADMIN, {"name": "Orders failing", "kind": "error_count", "integration_id": 1,
                                         "type": "order", "window_minutes": 1, "threshold": 3,
                                         "recovery_threshold": 1, "channel_ids": [hook, mail]})
    token = tokens.create(con, LOCAL_ADMIN, "feed", ["ingest"])["token"]
    con.close()
    return token


def test_incident_burst_fires_once_notifies_and_resolves_once(fixture_db, server_factory, page, webhook, inbox):
    """The sync engine posts a burst of failed orders: /alerts shows the rule firing, webhook and inbox get one
    FIRING and, once the burst has left the one-minute window, one RESOLVED."""
    token = configure(fixture_db, webhook)
    server = server_factory(fixture_db, {"ENTITIES_ALERT_INTERVAL": "1", **inbox.env()})
    page.goto(f"{server.url}/alerts")
    page.get_by_text("Nothing is firing.").wait_for()

    now = datetime.now(UTC)
    posted = httpx.post(f"{server.url}/api/v1/events", timeout=60,
                        content=incident_events([now - timedelta(seconds=s) for s in (4, 3, 2, 1, 0)]),
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})
    assert posted.status_code == 200, posted.text

    wait_until(lambda: webhook.requests and inbox.messages, 30, "the FIRING webhook and email")
    page.goto(f"{server.url}/alerts")
    page.get_by_text("Firing now: 1").wait_for()
    # ui.md puts an invisible word joiner before ":" so Streamlit cannot turn data into links or icons
    page.get_by_text(re.compile("Orders failing\u2060?: 5 ≥ 3 failed transactions in the window · Nordic Outdoor · "
                                "Orders")).wait_for()
    page.screenshot(path="/tmp/shots/alerts-firing.png", full_page=True)

    wait_until(lambda: len(webhook.requests) >= 2 and len(inbox.messages) >= 2, 90, "the RESOLVED notifications")
    page.goto(f"{server.url}/alerts?view=history")
    page.get_by_text("Nothing is firing.").wait_for()
    assert [webhook.json(i)["event"] for i in range(len(webhook.requests))] == ["fired", "resolved"]
    assert [m["message"]["Subject"].split(" ")[0] for m in inbox.messages] == ["[FIRING]", "[RESOLVED]"]
    assert all(channels.verify(SECRET, r["body"], r["headers"]["X-Junipeer-Signature"]) for r in webhook.requests)
    assert webhook.json(0)["value"] == 5 and webhook.json(1)["value"] == 0
