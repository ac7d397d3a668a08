"""Text from outside (webhook answers, files) made storable: DuckDB holds UTF-8 only, so invalid bytes and lone
surrogates (a JSON "\\ud800" decodes to one) become U+FFFD, and the caller is told so it can flag the record."""
from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def storable(text: str | None) -> tuple[str | None, bool]:
    """(text safe to store, whether anything was replaced)."""
    if text is None:
        return None, False
    fixed, count = _SURROGATE.subn(REPLACEMENT, text)
    return fixed, bool(count)


def decode(raw: bytes) -> tuple[str, bool]:
    """Bytes received -> (UTF-8 text with invalid sequences replaced, whether any were)."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), True
