"""Hostile data in every text field renders as text on every page: no element in the DOM comes from data."""
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

import queries
from entities import db

pytestmark = pytest.mark.browser

PAYLOADS = ['<img src=x onerror="window.__pwned=1">', '<a href="https://evil.example/a">evil-anchor</a>',
            "<b>evil-bold</b>", "<style>body{display:none}</style>", "<script>window.__pwned=2</script>",
            "[evil-md-link](https://evil.example/md)", "![evil-md-img](https://evil.example/x.png)",
            "javascript:alert(1)", "**evil-strong**", "https://evil.example/auto", "evil@evil.example",
            ":red[evil-red] :material/skull:", "$evil^2$", '<iframe src="https://evil.example/f"></iframe>',
            "www.evil.example"]
HOSTILE = " ".join(PAYLOADS)
LONG = "L" * 5000 + " " + HOSTILE
MARKERS = ["evil-anchor", "evil-bold", "evil-md-link", "evil-strong", "evil-red", "skull", "evil^2"]
STAMP = "2026-11-26T10:00:00Z"
SHOTS = os.environ.get("ENTITIES_TEST_SHOTS")

# Any element built from the data: a link or source pointing at it, an element whose whole text is one of the
# markup markers, script or style from it, LaTeX or a data-chosen icon, or a script that ran.
FROM_DATA = """(markers) => {
  const found = [];
  if (window.__pwned) found.push('script ran: ' + window.__pwned);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase(), value = attr.value.trim().toLowerCase();
      if (['href', 'src', 'srcset', 'action', 'formaction', 'xlink:href', 'style'].includes(name)
          && (value.includes('evil') || value.startsWith('javascript:') || value.startsWith('mailto:')))
        found.push(tag + ' ' + name + '=' + value.slice(0, 80));
      if (name.startsWith('on') && value.includes('pwned')) found.push(tag + ' ' + name);
    }
    if (tag !== 'html' && tag !== 'body' && markers.includes((el.textContent || '').trim()))
      found.push(tag + ' with text ' + el.textContent.trim());
    if ((tag === 'style' || tag === 'script') && (el.textContent || '').includes('pwned')) found.push(tag);
    if ((tag === 'style') && (el.textContent || '').includes('body{display:none}')) found.push('style from data');
    if (el.classList && el.classList.contains('katex')) found.push('katex');
  }
  if (getComputedStyle(document.body).display === 'none') found.push('body hidden');
  return found;
}"""


def write(folder, kind, rows):
    path = folder / f"{kind}.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """A database loaded with `entities import` from files whose every text field is hostile."""
    folder = tmp_path_factory.mktemp("hostile")
    types = ["article", "customer", "order", "stock"]
    entities, children, transactions = [], [], []
    for t_no, type_ in enumerate(types):
        for i, status in enumerate(["error", "synced", "pending"]):
            ref = f"{HOSTILE} {type_} {i}" if i else LONG + f" {type_}"
            entities.append({"integration_id": 1, "type": type_, "retriever_ref": ref, "status": status,
                             "storer_ref": f"{HOSTILE} S{t_no}{i}", "children": 1, "last_updated": STAMP,
                             "error_code": HOSTILE if status == "error" else None,
                             "error_message": HOSTILE if status == "error" else None})
            children.append({"integration_id": 1, "entity_type": type_, "entity_ref": ref, "line_no": 1,
                             "retriever_ref": HOSTILE, "storer_ref": HOSTILE, "description": HOSTILE,
                             "status": "error", "error_message": HOSTILE})
            transactions.append({"id": 100 * t_no + i + 1, "integration_id": 1, "entity_type": type_,
                                 "entity_ref": ref, "occurred_at": STAMP, "operation": "update",
                                 "outcome": "error" if status == "error" else "success", "actor": HOSTILE,
                                 "error_code": HOSTILE, "message": HOSTILE, "request_payload": HOSTILE,
                                 "response_payload": {HOSTILE: HOSTILE, "long": LONG}, "duration_ms": 5})
    files = [write(folder, "integrations", [{"id": 1, "name": HOSTILE, "retriever": HOSTILE, "storer": HOSTILE}]),
             write(folder, "flows", [{"integration_id": 1, "type": t, "enabled": True, "last_synced_at": STAMP}
                                     for t in types]),
             write(folder, "entities", entities), write(folder, "children", children),
             write(folder, "transactions", transactions)]
    path = folder / "hostile.duckdb"
    run = subprocess.run([sys.executable, "-m", "entities.cli", "import", "--db", str(path), *map(str, files)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    con = db.connect(path)
    failed = queries.records(con, "entity_lookup", ref=LONG + " order")[0]["id"]
    con.close()
    return path, failed


def assert_text_only(page, where: str) -> None:
    found = page.evaluate(FROM_DATA, MARKERS)
    assert found == [], f"{where}: elements from data: {found}"


def visit(page, url: str, ready: str) -> None:
    page.goto(url)
    page.get_by_text(ready).first.wait_for()


def test_every_page_shows_hostile_data_as_text(hostile_db, server_factory, page):
    """An ops lead browses a database full of markup, links, scripts and huge strings: all of it shows as text."""
    path, failed = hostile_db
    server = server_factory(path)
    for type_ in ("article", "customer", "order", "stock"):
        visit(page, f"{server.url}/?type={type_}", "showing")
        assert_text_only(page, f"list {type_}")
    visit(page, f"{server.url}/?q=" + "%3Cb%3Eevil-bold%3C%2Fb%3E", "match")  # markup in a shared link
    assert_text_only(page, "list search")
    finder = page.get_by_role("textbox", name="Find a reference")
    finder.fill(f"{HOSTILE} order 1")
    finder.press("Enter")
    page.locator("[data-testid=stSidebar] [data-testid=stPageLink]").first.wait_for()
    assert_text_only(page, "reference finder")

    visit(page, f"{server.url}/entity?id={failed}", "Transaction history")
    page.get_by_text("evil-anchor").first.wait_for()
    page.screenshot(path="/tmp/shots/auth-hostile-detail.png") if SHOTS else None
    assert_text_only(page, "detail: header, error and history")
    page.get_by_role("button", name="Retry").click()
    page.get_by_role("button", name="Confirm retry").wait_for()
    assert_text_only(page, "detail: retry confirmation")
    page.get_by_role("button", name="Confirm retry").click()
    page.get_by_text("Retry queued").or_(page.get_by_text("Retry finished")).first.wait_for()
    visit(page, f"{server.url}/entity?id={failed}", "Transaction history")
    page.get_by_role("tab", name="Raw data").click()
    page.get_by_text("Request (sent)").first.wait_for()
    assert_text_only(page, "detail: raw data")
    page.get_by_role("tab", name="Children").click()
    page.get_by_text("Failed: line 1").first.wait_for()
    assert_text_only(page, "detail: children")

    for url, ready in (("/overview", "Error groups"), ("/references", "Integrity problems"),
                       ("/audit", "retry requests"), ("/audit?log=changes", "changes"),
                       ("/alerts", "Firing now"), ("/admin", "Check a person")):
        visit(page, server.url + url, ready)
        assert_text_only(page, url)
