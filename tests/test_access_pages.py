"""Pages by role (AppTest): read-only viewers see disabled actions with the reason; only admins edit role rules."""
import html

import pytest
from conftest import open_app, rerun

import queries
from entities import ui


@pytest.fixture
def anonymous(app_env, monkeypatch):
    """The app served with --allow-anonymous and no sign-in: everyone is a read-only viewer."""
    monkeypatch.setenv("ENTITIES_ANONYMOUS", "1")
    return app_env


def test_local_mode_shows_the_banner(app_env):
    """Without sign-in the app says so on every page: local mode, local admin."""
    at = open_app()
    assert any("Local mode: no sign-in" in i.value for i in at.info)


def test_read_only_viewer_sees_retry_disabled_with_the_reason(anonymous):
    """An anonymous viewer opens a failed order: Retry is disabled and its tooltip says which role it needs."""
    at = open_app("entity", id="4")
    assert not at.exception
    button = at.button(key="retry_start")
    assert button.disabled and button.help == "Needs the operator role; you are viewer."


def test_read_only_viewer_bulk_retry_buttons_are_disabled(anonymous):
    """An anonymous viewer on the list: both bulk retry buttons are disabled with the reason, and a banner says so."""
    at = open_app(integration="1")
    assert any("Read-only: no sign-in" in i.value for i in at.info)
    for key in ("bulk_retry_selected", "bulk_retry_filter"):
        assert at.button(key=key).disabled and "operator role" in at.button(key=key).help


def test_viewer_opening_admin_is_refused(anonymous):
    """An anonymous viewer opens /admin by its URL: a 403 message, no rules, no form."""
    at = open_app("admin")
    assert not at.exception
    assert any("Not allowed (403)" in e.value for e in at.error)
    assert not at.text_input


def test_admin_sets_a_rule_and_the_change_log_shows_it(app_env):
    """The local admin adds @example.com as operator on /admin; /audit's change log lists it with their name."""
    at = open_app("admin")
    at.text_input(key="role_rule_pattern").input("@Example.com")
    at.selectbox(key="role_rule_role").select("operator")
    at.button[0].click()  # the form's submit button
    rerun(at)
    assert not at.exception
    assert [(r.pattern, r.role) for r in ui.stored_rules()] == [("@example.com", "operator")]
    rows = queries.records(ui.cursor(), "audit_log_page", actor=None, action=None, changed_from=None,
                           changed_to=None, page_size=10, page_offset=0)
    assert [(r["actor"], r["action"], r["target"]) for r in rows] == [
        ("ops@junipeer (local)", "role_rule.set", "@example.com")]
    changes = open_app("audit", log="changes")
    assert changes.dataframe[0].value["actor"].tolist() == ["ops@junipeer (local)"]


def test_a_bad_pattern_gets_a_message_and_stores_nothing(app_env):
    """The admin types a pattern that is no email, domain or group: a message explains, nothing is stored."""
    at = open_app("admin")
    at.text_input(key="role_rule_pattern").input("<b>everyone</b>")
    at.button[0].click()
    rerun(at)
    assert any("is not a rule pattern" in html.unescape(e.value) for e in at.error)
    assert ui.stored_rules() == []
