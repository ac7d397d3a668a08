"""Payloads as the detail page shows them: parsed JSON when valid, text with a note when not, truncated when huge;
and a field-by-field diff of two JSON payloads (flattened paths like `order.lines[1].sku`)."""
from __future__ import annotations

import json
from dataclasses import dataclass

HUGE_CHARS = 1_000_000  # above this a payload is shown truncated with a download of the whole
PREVIEW_CHARS = 100_000
NOT_JSON_NOTE = "Not valid JSON — shown as received."
_MISSING = object()


@dataclass(frozen=True)
class PayloadView:
    kind: str  # empty | json | text | truncated
    value: object  # parsed JSON, the text, or the first PREVIEW_CHARS characters
    size: int  # characters in the stored payload
    note: str = ""


def parse(text: str | None):
    """The parsed JSON value, or _MISSING when text is None or not valid JSON."""
    if text is None:
        return _MISSING
    try:
        return json.loads(text)
    except ValueError:
        return _MISSING


def view(text: str | None, huge_chars: int = HUGE_CHARS, preview_chars: int = PREVIEW_CHARS) -> PayloadView:
    """How to show a stored payload without ever rendering megabytes in the browser."""
    if text is None or text == "":
        return PayloadView("empty", None, 0, "Nothing was recorded.")
    if len(text) > huge_chars:
        return PayloadView("truncated", text[:preview_chars], len(text),
                           f"{human_size(len(text))} payload: showing the first {human_size(preview_chars)} as text. "
                           "Download it for the whole payload.")
    parsed = parse(text)
    if parsed is _MISSING:
        return PayloadView("text", text, len(text), NOT_JSON_NOTE)
    return PayloadView("json", parsed, len(text))


def human_size(chars: int) -> str:
    for unit, size in (("MB", 1_000_000), ("KB", 1_000)):
        if chars >= size:
            return f"{chars / size:.1f} {unit}"
    return f"{chars} characters"


def flatten(value, prefix: str = "") -> dict[str, object]:
    """Leaf values by path: {"a": {"b": [1]}} -> {"a.b[0]": 1}; empty containers are leaves."""
    if isinstance(value, dict) and value:
        out: dict[str, object] = {}
        for key, child in value.items():
            out.update(flatten(child, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, child in enumerate(value):
            out.update(flatten(child, f"{prefix}[{index}]"))
        return out
    return {prefix or "(whole payload)": value}


def diff(before, after) -> list[dict]:
    """Changed, added and removed leaf fields between two parsed JSON values, in path order."""
    old, new = flatten(before), flatten(after)
    rows = []
    for path in sorted(old.keys() | new.keys()):
        was, now = old.get(path, _MISSING), new.get(path, _MISSING)
        if was is _MISSING:
            change = "added"
        elif now is _MISSING:
            change = "removed"
        elif was != now or type(was) is not type(now):
            change = "changed"
        else:
            continue
        rows.append({"path": path, "before": _shown(was), "after": _shown(now), "change": change})
    return rows


def diff_texts(before: str | None, after: str | None) -> list[dict] | None:
    """diff() of two stored payloads, or None when either is missing or not valid JSON."""
    old, new = parse(before), parse(after)
    if old is _MISSING or new is _MISSING:
        return None
    return diff(old, new)


def _shown(value) -> str:
    return "" if value is _MISSING else json.dumps(value, ensure_ascii=False)


def show(st, label: str, text: str | None, key: str) -> None:
    """Render one payload in Streamlit: JSON viewer, text with a note, or a truncated preview with a download."""
    shown = view(text)
    st.markdown(f"**{label}** · {human_size(shown.size)}" if shown.size else f"**{label}**")
    if shown.kind == "empty":
        st.caption(shown.note)
    elif shown.kind == "json":
        st.json(shown.value, expanded=2)
    elif shown.kind == "text":
        st.warning(shown.note, icon=":material/data_object:")
        st.code(shown.value, language=None, wrap_lines=True)
    else:
        st.warning(shown.note, icon=":material/content_cut:")
        st.download_button("Download the full payload", data=text, file_name=f"{key}.txt", mime="text/plain",
                           key=f"{key}_download", on_click="ignore")
        st.code(shown.value, language=None, wrap_lines=True, height=400)
