"""Payload viewing and diffing: valid JSON, text with a note, huge payloads truncated; field-level diff."""
import pytest

from entities.ui import payloads


@pytest.mark.parametrize("text, kind", [
    (None, "empty"),
    ("", "empty"),
    ('{"a": 1}', "json"),
    ('{"order": {"number": "#1002"', "text"),
    ("<html><h1>502 Bad Gateway</h1></html>", "text"),
    ('"x' + "y" * 1_100_000 + '"', "truncated"),
])
def test_view_kind(text, kind):
    """Each stored payload is shown as JSON, as text with a note, or truncated, never by raising."""
    assert payloads.view(text).kind == kind


def test_not_json_has_note_with_the_error_position():
    """A truncated JSON body is shown as received with a 'Not valid JSON' note saying where it breaks."""
    shown = payloads.view('{"order": ')
    assert shown.value == '{"order": '
    assert shown.note == "Not valid JSON (line 1, column 11: Expecting value) — shown as received."


@pytest.mark.parametrize("text", ['{"id": 820982911946154508, "price": 1.50, "tiny": 1e-400, "s": "a,b:{c}\\" "}',
                                  '[ ]', '{"a": {}, "b": [[], {"c": -0.0E+2}]}'])
def test_json_view_keeps_every_token_as_stored(text):
    """A JSON payload is indented for reading, but its strings and numbers are the stored text, unchanged."""
    shown = payloads.view(text)
    assert shown.kind == "json"
    assert "".join(shown.value.split()) == "".join(text.split())


def test_huge_payload_preview_is_bounded():
    """A 2 MB payload is previewed as its first 100 KB only."""
    shown = payloads.view("x" * 2_000_000)
    assert len(shown.value) == payloads.PREVIEW_CHARS and shown.size == 2_000_000
    assert "2.0 MB" in shown.note


@pytest.mark.parametrize("value, flat", [
    ({"a": {"b": [1, {"c": None}]}}, {"$.a.b[0]": 1, "$.a.b[1].c": None}),
    ({"a": [], "b": {}}, {"$.a": [], "$.b": {}}),
    ({"odd key": 1}, {'$["odd key"]': 1}),
    (5, {"$": 5}),
])
def test_flatten(value, flat):
    """Nested JSON becomes one row per leaf path."""
    assert payloads.flatten(value) == flat


def test_diff_of_fixture_order_leads_with_the_changed_total():
    """Comparing entity 2's failed update with its last success: the changed total first, then the added fields."""
    before = '{"order": {"number": "#1002", "lines": [{"sku": "SKU-2000", "qty": 1}], "total": 799.0}}'
    after = ('{"order": {"number": "#1002", "lines": [{"sku": "SKU-2000", "qty": 1}, {"sku": "SKU-1234", "qty": 1}],'
             ' "total": 3298.0, "vat": 25}}')
    assert payloads.diff_texts(before, after) == [
        {"path": "$.order.total", "before": "799.0", "after": "3298.0", "change": "changed"},
        {"path": "$.order.lines[1].qty", "before": "", "after": "1", "change": "added"},
        {"path": "$.order.lines[1].sku", "before": "", "after": '"SKU-1234"', "change": "added"},
        {"path": "$.order.vat", "before": "", "after": "25", "change": "added"},
    ]


def test_one_changed_sku_among_many_fields_comes_first_and_the_rest_is_context():
    """In a 60-field order where only one SKU changed, that SKU is the first row; the rest is unchanged context."""
    lines = [{"sku": f"SKU-{i}", "qty": 1, "price": "10.00"} for i in range(20)]
    changed = [dict(line) for line in lines]
    changed[11]["sku"] = "SKU-XX"
    rows = payloads.diff({"lines": lines}, {"lines": changed}, unchanged=True)
    assert rows[0] == {"path": "$.lines[11].sku", "before": '"SKU-11"', "after": '"SKU-XX"', "change": "changed"}
    assert {r["change"] for r in rows[1:]} == {"unchanged"} and len(rows) == 60


def test_emptied_list_reads_emptied():
    """A request whose line list became empty shows one 'emptied' row, not 'added []' and a removal per field."""
    rows = payloads.diff_texts('{"lines": [{"sku": "A"}, {"sku": "B"}], "n": 1}', '{"lines": [], "n": 1}')
    assert rows == [{"path": "$.lines", "before": "2 values", "after": "[]", "change": "emptied"}]


def test_diff_keeps_numbers_as_written():
    """1.50 against 1.5 and an 18-digit id show as written, never through a float."""
    rows = payloads.diff_texts('{"id": 820982911946154508, "p": 1.50}', '{"id": 820982911946154509, "p": 1.5}')
    assert [(r["before"], r["after"]) for r in rows] == [("820982911946154508", "820982911946154509"),
                                                          ("1.50", "1.5")]


@pytest.mark.parametrize("before, after, rows", [
    ('{"a": 1, "b": 2}', '{"a": 1}', [{"path": "$.b", "before": "2", "after": "", "change": "removed"}]),
    ('{"a": 1}', '{"a": "1"}', [{"path": "$.a", "before": "1", "after": '"1"', "change": "changed"}]),
    ('{"a": 1}', '{"a": 1}', []),
])
def test_diff_changes(before, after, rows):
    """Removed fields and type changes are listed; identical payloads give no rows."""
    assert payloads.diff_texts(before, after) == rows


@pytest.mark.parametrize("before, after", [('{"a": 1}', '{"a": '), (None, '{"a": 1}')])
def test_diff_needs_two_json_payloads(before, after):
    """No diff is offered when one side is missing or not valid JSON."""
    assert payloads.diff_texts(before, after) is None


def test_large_html_error_page_is_a_bounded_block_with_the_error_position():
    """A 14 KB HTML error page is shown as text in a fixed-height scrolling block, saying where JSON parsing failed."""
    html = "<!DOCTYPE html>\n" + "<p>Bad gateway</p>\n" * 700
    shown = payloads.view(html)
    assert shown.kind == "text" and "line 1, column 1: Expecting value" in shown.note
    assert payloads._height(html) == payloads.SCROLL_LINES * payloads.LINE_PX
    assert payloads._height('{"a": 1}') is None
