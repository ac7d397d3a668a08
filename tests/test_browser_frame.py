"""In a real browser: the app opens and the sidebar offers the real integrations."""
import pytest

pytestmark = pytest.mark.browser


def test_sidebar_picker_shows_integration_names(server_factory, fixture_db, page):
    """Opening the app shows the integration picker with the integration's name and platforms."""
    server = server_factory(fixture_db)
    page.goto(f"{server.url}/?integration=1")
    picker = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")
    page.get_by_test_id("stSidebar").get_by_text("Retriever Shopify → Storer Fortnox").wait_for()
    picker.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    assert options.all_inner_texts() == ["Baltic Parts · Magento → Microsoft Dynamics 365 Business Central",
                                         "Hem & Trädgård · WooCommerce → Visma eEkonomi",
                                         "Nordic Outdoor · Shopify → Fortnox"]


def test_shared_detail_link_opened_first_keeps_the_frame(server_factory, fixture_db, page):
    """A detail link opened first on a fresh server shows the page in the app's frame, on its integration."""
    server = server_factory(fixture_db)
    page.goto(f"{server.url}/entity?id=2")
    page.get_by_role("heading", name="Order #1002").wait_for()
    page.get_by_test_id("stSidebar").get_by_text("Integration", exact=True).wait_for()
    page.get_by_test_id("stSidebarNav").get_by_text("Overview").wait_for()
    page.get_by_test_id("stSidebar").get_by_text("Retriever Shopify → Storer Fortnox").wait_for()


def test_first_interaction_on_fresh_server_keeps_the_integration(server_factory, fixture_db, page):
    """The first click after opening a shared link keeps the integration the link named."""
    server = server_factory(fixture_db)
    page.goto(f"{server.url}/?integration=1")
    page.get_by_text("Customers 2").click()
    page.get_by_text("2 customers").wait_for()
    page.get_by_test_id("stSidebar").get_by_text("Retriever Shopify → Storer Fortnox").wait_for()
