"""Whatever a shared link holds, every page opens with a notice and no traceback."""
import pytest
from conftest import open_app

NASTY = ["", "bogus", "-1", "0", "99999999999999999999", "1e99", "'; drop table entities; --", "%00", "ÅÄÖ",
         "x" * 5000, "2026-02-30", "null"]


@pytest.mark.parametrize("value", NASTY)
@pytest.mark.parametrize(("page", "keys"), [
    (None, ["integration", "type", "status", "q", "sort", "page", "size", "from", "to", "group"]),
    ("entity", ["id"]),
    ("overview", ["scope", "window", "stuck"]),
    ("references", ["ref_type", "q", "problem", "ref_page"]),
    ("audit", ["requester", "retry_state", "requested_from", "requested_to", "audit_page"]),
])
def test_page_survives_bad_url_values(app_env, monkeypatch, page, keys, value):
    """Opening a page with a nonsense value in every URL parameter shows the page, never an exception."""
    monkeypatch.setenv("ENTITIES_WORKER", "off")
    at = open_app(page, **dict.fromkeys(keys, value))
    assert not at.exception, at.exception
    assert at.title or at.markdown
