"""Bulk retry controls on the list page (AppTest): confirmation with the exact count, the cap, then queued."""
from conftest import open_app

from entities import ui
from entities.identity import Principal
from entities.sync import retry


def operator(name: str) -> Principal:
    return Principal(name, kind="user", role="operator")


def test_filter_retry_asks_to_confirm_the_count(app_env, monkeypatch):
    """Retrying every order in error asks 'Retry 3 records?' with a confirm button naming the count."""
    monkeypatch.setenv("ENTITIES_WORKER", "off")
    at = open_app(None, integration="1", type="order", status="error")
    at.button(key="bulk_retry_filter").click().run()
    assert not at.exception
    assert "**Retry 3 records?**" in [m.value for m in at.markdown]
    assert at.button(key="bulk_retry_confirm").label == "Retry 3"


def test_count_is_read_when_the_dialog_opens(app_env, monkeypatch):
    """An order retried in the meantime (now pending) is no longer in the error filter's count."""
    monkeypatch.setenv("ENTITIES_WORKER", "off")
    at = open_app(None, integration="1", type="order", status="error")
    retry.request(ui.cursor(), [4], operator("someone.else"))  # the app's own connection: it holds the file
    ui.clear_cache()
    at.button(key="bulk_retry_filter").click().run()
    assert "**Retry 2 records?**" in [m.value for m in at.markdown]


def test_filter_over_cap_is_refused(app_env, monkeypatch):
    """With ENTITIES_BULK_RETRY_CAP=2 a filter matching 3 records is refused with what to do."""
    monkeypatch.setenv("ENTITIES_WORKER", "off")
    monkeypatch.setenv("ENTITIES_BULK_RETRY_CAP", "2")
    at = open_app(None, integration="1", type="order", status="error")
    at.button(key="bulk_retry_filter").click().run()
    assert [e.value for e in at.error] == [
        "This filter matches 3 records; the cap is 2. Narrow the filter or raise ENTITIES_BULK_RETRY_CAP."]
    assert "bulk_retry_confirm" not in [b.key for b in at.button]
