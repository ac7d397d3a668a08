"""Sign-in through a real OIDC provider (oidc-provider-mock) in Chromium: roles hold in the page and the API."""
import shutil

import pytest
from conftest import Server, free_port, wait_until
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

USERS = [User(sub="vera-sub", claims={"email": "vera@example.com", "groups": ["auditors"]}),
         User(sub="otto-sub", claims={"email": "otto@example.com", "groups": ["ops"]}),
         User(sub="nobody-sub", claims={"email": "nobody@elsewhere.org"})]


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread(port=free_port(), user_claims=USERS) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def app(provider, fixture_db_template, tmp_path_factory):
    """One signed-in-mode server for the module: viewers by group, operators by email."""
    path = tmp_path_factory.mktemp("signin") / "signin.duckdb"
    shutil.copy(fixture_db_template, path)
    server = Server(path, {
        "ENTITIES_OIDC_METADATA_URL": f"{provider}/.well-known/openid-configuration",
        "ENTITIES_OIDC_CLIENT_ID": "entities", "ENTITIES_OIDC_CLIENT_SECRET": "client-secret",
        "ENTITIES_OIDC_REDIRECT_URI": "http://127.0.0.1:{port}/oauth2callback",
        "ENTITIES_COOKIE_SECRET": "test-cookie-secret-" + "x" * 32,
        "ENTITIES_ROLE_VIEWER": "group:auditors", "ENTITIES_ROLE_OPERATOR": "otto@example.com"})
    yield server
    server.stop()


def sign_in(page, app, provider, subject: str) -> None:
    page.goto(app.url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{provider}/**")
    page.get_by_role("button", name=subject, exact=True).click()
    page.wait_for_url(f"{app.url}/**")
    page.get_by_text("Signed in as").wait_for()


def test_signed_out_visitor_sees_only_the_sign_in_screen(app, page):
    """Someone opens a shared link without signing in: a sign-in button, no data; the API says 401."""
    page.goto(f"{app.url}/entity?id=4")
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.get_by_text("#1004").count() == 0
    assert page.locator("[data-testid=stSidebarNav]").count() == 0
    assert page.request.post(f"{app.url}/api/v1/entities/4/retry").status == 401


def test_viewer_sees_no_usable_retry_and_the_api_refuses(app, provider, page):
    """A viewer signs in: Retry is disabled with the reason, and the API refuses their session's retry (403)."""
    sign_in(page, app, provider, "vera-sub")
    assert "vera@example.com" in page.locator("[data-testid=stSidebar]").inner_text().replace("\u2060", "")
    page.goto(f"{app.url}/entity?id=4")
    page.get_by_role("tab", name="Transaction history").wait_for()
    retry = page.get_by_role("button", name="Retry")
    retry.wait_for()
    assert retry.is_disabled()
    reason = page.get_by_text("Needs the operator role; you are viewer.")

    def hover_shows_reason() -> bool:
        page.mouse.move(0, 0)  # leave and re-enter: a tooltip opens on the pointer entering the button
        retry.hover(force=True)
        try:
            reason.wait_for(timeout=3_000)
        except PlaywrightTimeout:  # not open yet: hover again
            return False
        return True

    wait_until(hover_shows_reason, 60, "the disabled Retry button's reason on hover")
    response = page.request.post(f"{app.url}/api/v1/entities/4/retry")
    assert response.status == 403
    page.goto(f"{app.url}/audit?requester=vera%40example.com")
    page.get_by_text("Ignored requester").wait_for()  # no retry request by vera exists


def test_operator_retries_and_the_audit_shows_their_email(app, provider, page):
    """An operator signs in, retries an order, and the retry audit lists the request under their email."""
    sign_in(page, app, provider, "otto-sub")
    page.goto(f"{app.url}/entity?id=6")
    page.get_by_role("tab", name="Transaction history").wait_for()
    page.get_by_role("button", name="Retry").click()
    page.get_by_text("Requested as otto").wait_for()
    page.get_by_role("button", name="Confirm retry").click()
    page.get_by_text("Retry queued").or_(page.get_by_text("Retry finished")).first.wait_for()
    page.goto(f"{app.url}/audit?requester=otto%40example.com")
    page.get_by_text("1 retry requests").wait_for()
    assert page.get_by_text("Ignored requester").count() == 0


def test_person_without_a_role_sees_nothing(app, provider, page):
    """Someone signs in whom no rule covers: they are told to ask an admin and see no data."""
    page.goto(app.url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{provider}/**")
    page.get_by_role("button", name="nobody-sub", exact=True).click()
    page.get_by_text("no role rule gives this account access").wait_for()
    assert page.locator("[data-testid=stSidebarNav]").count() == 0


def test_sign_out_returns_to_the_sign_in_screen(app, provider, page):
    """A signed-in viewer signs out in the sidebar and is back at the sign-in screen."""
    sign_in(page, app, provider, "vera-sub")
    page.get_by_role("button", name="Sign out").click()
    wait_until(lambda: page.url.startswith(provider) or page.get_by_role("button", name="Sign in").count(), 20,
               "the provider's sign-out or the app's sign-in screen")
    if page.url.startswith(provider):  # the provider asks to confirm ending its session, then sends us back
        page.get_by_role("button").first.click()
        page.wait_for_url(f"{app.url}/**")
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.get_by_text("Signed in as").count() == 0
