"""Payloads as the detail page shows them: JSON as its own source text (indented for reading, every value exactly as
stored: no JavaScript double ever touches an 18-digit id), text with a note and the parse error position when not
JSON, truncated when huge; and a field-by-field diff of two JSON payloads (paths like `order.lines[1].sku`)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

HUGE_CHARS = 1_000_000  # above this a payload is shown truncated with a download of the whole
PREVIEW_CHARS = 100_000
NOT_JSON_NOTE = "Not valid JSON — shown as received."
SCROLL_LINES = 30  # a payload longer than this scrolls inside a block of this height
LINE_PX = 21
_MISSING = object()
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


class Number(str):
    """A JSON number kept as its source text (1.50 stays 1.50, 820982911946154508 stays exact)."""


def _constant(name: str):
    raise ValueError(f"{name} is not JSON")


@dataclass(frozen=True)
class PayloadView:
    kind: str  # empty | json | text | truncated
    value: object  # parsed JSON, the text, or the first PREVIEW_CHARS characters
    size: int  # characters in the stored payload
    note: str = ""


def parse(text: str | None):
    """The parsed JSON value with numbers as Number (their source text), or _MISSING when not valid JSON."""
    if text is None:
        return _MISSING
    try:
        return json.loads(text, parse_float=Number, parse_int=Number, parse_constant=_constant)
    except ValueError:
        return _MISSING


def parse_error(text: str) -> str:
    """Where and why text is not JSON, e.g. 'line 1, column 7: Expecting value'."""
    try:
        json.loads(text, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        return f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except ValueError as exc:
        return str(exc)
    return ""


def indented(text: str, step: int = 2) -> str:
    """Valid JSON text re-indented one value per line; every string and number token is copied as written."""
    out: list[str] = []
    depth = 0
    tokens = _TOKEN.findall(text)
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in "{[":
            if following in "}]" and following:
                out.append(token)
                continue
            depth += 1
            out.append(token + "\n" + " " * step * depth)
        elif token in "}]":
            if out and out[-1] in "{[":
                out.append(token)
                continue
            depth -= 1
            out.append("\n" + " " * step * depth + token)
        elif token == ",":
            out.append(",\n" + " " * step * depth)
        elif token == ":":
            out.append(": ")
        else:
            out.append(token)
    return "".join(out)


def view(text: str | None, huge_chars: int = HUGE_CHARS, preview_chars: int = PREVIEW_CHARS) -> PayloadView:
    """How to show a stored payload without ever rendering megabytes in the browser."""
    if text is None or text == "":
        return PayloadView("empty", None, 0, "Nothing was recorded.")
    if len(text) > huge_chars:
        return PayloadView("truncated", text[:preview_chars], len(text),
                           f"{human_size(len(text))} payload: showing the first {human_size(preview_chars)} as text. "
                           "Download it for the whole payload.")
    problem = parse_error(text)
    if problem:
        return PayloadView("text", text, len(text), f"Not valid JSON ({problem}) — shown as received.")
    return PayloadView("json", indented(text), len(text))


def human_size(chars: int) -> str:
    for unit, size in (("MB", 1_000_000), ("KB", 1_000)):
        if chars >= size:
            return f"{chars / size:.1f} {unit}"
    return f"{chars} characters"


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CHANGE_ORDER = {"changed": 0, "emptied": 1, "added": 2, "removed": 2, "unchanged": 3}


def _child_path(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if _PLAIN_KEY.match(key) else f"{prefix}[{json.dumps(key, ensure_ascii=False)}]"


def flatten(value, prefix: str = "$") -> dict[str, object]:
    """Leaf values by JSON path: {"a": {"b": [1]}} -> {"$.a.b[0]": 1}; empty containers are leaves."""
    if isinstance(value, dict) and value:
        out: dict[str, object] = {}
        for key, child in value.items():
            out.update(flatten(child, _child_path(prefix, str(key))))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, child in enumerate(value):
            out.update(flatten(child, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def _under(path: str, parent: str) -> bool:
    return path.startswith(parent + ".") or path.startswith(parent + "[")


def _empty(value) -> bool:
    return isinstance(value, list | dict) and not value


def diff(before, after, unchanged: bool = False) -> list[dict]:
    """What differs between two parsed JSON values, leading with what matters: changed values, then lists or objects
    that were emptied, then added and removed fields, each group in path order; with unchanged=True the unchanged
    fields follow (the context a page shows collapsed)."""
    old, new = flatten(before), flatten(after)
    emptied = {p for p, v in new.items() if _empty(v) and any(_under(q, p) for q in old)}
    filled = {p for p, v in old.items() if _empty(v) and any(_under(q, p) for q in new)}
    rows = []
    for path in old.keys() | new.keys():
        was, now = old.get(path, _MISSING), new.get(path, _MISSING)
        if path in emptied:
            count = sum(1 for q in old if _under(q, path))
            rows.append({"path": path, "before": f"{count} value{'s' if count != 1 else ''}", "after": _shown(now),
                         "change": "emptied"})
            continue
        if path in filled or any(_under(path, p) for p in emptied):
            continue
        if was is _MISSING:
            change = "added"
        elif now is _MISSING:
            change = "removed"
        elif was != now or type(was) is not type(now):
            change = "changed"
        elif unchanged:
            change = "unchanged"
        else:
            continue
        rows.append({"path": path, "before": _shown(was), "after": _shown(now), "change": change})
    return sorted(rows, key=lambda r: (CHANGE_ORDER[r["change"]], r["path"]))


def diff_texts(before: str | None, after: str | None, unchanged: bool = False) -> list[dict] | None:
    """diff() of two stored payloads, or None when either is missing or not valid JSON."""
    old, new = parse(before), parse(after)
    if old is _MISSING or new is _MISSING:
        return None
    return diff(old, new, unchanged)


def _shown(value) -> str:
    if value is _MISSING:
        return ""
    if isinstance(value, Number):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return json.dumps(value, ensure_ascii=False)


def _height(text: str) -> int | None:
    """A fixed, scrolling height for long text; None lets short text take its own height."""
    lines = text.count("\n") + 1
    return SCROLL_LINES * LINE_PX if lines > SCROLL_LINES or len(text) > 5_000 else None


def show(st, label: str, text: str | None, key: str) -> None:
    """Render one payload in Streamlit: JSON viewer, text with a note, or a truncated preview with a download."""
    shown = view(text)
    st.markdown(f"**{label}** · {human_size(shown.size)}" if shown.size else f"**{label}**")
    if shown.kind == "empty":
        st.caption(shown.note)
    elif shown.kind == "json":
        exact = st.toggle("Exactly as stored", key=f"{key}_as_stored",
                          help="Indented for reading; every value is shown as stored. Switch on for the stored bytes.")
        body = text if exact else shown.value
        st.code(body, language="json", wrap_lines=exact, height=_height(body))
    elif shown.kind == "text":
        st.warning(shown.note, icon=":material/data_object:")
        st.code(shown.value, language=None, wrap_lines=True, height=_height(shown.value))
    else:
        st.warning(shown.note, icon=":material/content_cut:")
        st.download_button("Download the full payload", data=text, file_name=f"{key}.txt", mime="text/plain",
                           key=f"{key}_download", on_click="ignore")
        st.code(shown.value, language=None, wrap_lines=True, height=400)
