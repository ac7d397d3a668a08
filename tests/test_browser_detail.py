"""In a real browser: retry a rate-limited order and watch the outcome arrive without reloading."""
from conftest import wait_until

import queries
from entities import db
from entities.cli.webhook_target import Behaviour, WebhookTarget
from entities.model import STATUS


def test_retry_shows_pending_then_outcome(server_factory, fixture_db, page):
    """An ops lead opens a rate-limited order, presses Retry, confirms, sees Pending while the ERP answers slowly,
    then the success, without reloading."""
    with WebhookTarget(Behaviour(delay=3)) as target:
        server = server_factory(fixture_db, {"ENTITIES_RETRY_HANDLER": "webhook", "ENTITIES_WEBHOOK_URL": target.url})
        page.goto(f"{server.url}/entity?id=4")
        page.get_by_text("RATE_LIMITED").first.wait_for()
        page.get_by_role("button", name="Retry").click()
        page.get_by_text("the retry will update that record rather than create a new one").wait_for()
        page.get_by_role("button", name="Confirm retry").click()
        page.get_by_text(STATUS["pending"].description).wait_for()
        page.get_by_text("latest: retry success").wait_for(timeout=30_000)
        page.get_by_text("Retry finished: success.").wait_for()
        page.get_by_text(STATUS["synced"].description).wait_for()
        assert "entity?id=4" in page.url
        assert [r.entity_id for r in target.received()] == [4]


def test_retry_is_recorded_once_in_the_database(server_factory, fixture_db, page):
    """After a retry in the browser and stopping the app, the database holds one finished request."""
    server = server_factory(fixture_db)
    page.goto(f"{server.url}/entity?id=4")
    page.get_by_role("button", name="Retry").click()
    page.get_by_role("button", name="Confirm retry").click()
    page.get_by_text("Retry finished: success.").wait_for(timeout=30_000)
    server.stop()
    served = sorted(fixture_db.parent.glob("served-*.duckdb"))[-1]
    con = wait_until(lambda: _connect(served), 20, "the app to release the database")
    assert queries.records(con, "retry_queue_summary")[0]["succeeded"] == 1
    assert queries.one(con, "retry_request_counts", entity_id=4) == (1, 0, 1)
    con.close()


def _connect(path):
    try:
        return db.connect(path)
    except db.DatabaseError:
        return None
