"""POST /api/v1/events: a batch of records of any import kind, checked and written by the import code."""
from __future__ import annotations


def routes(prefix: str) -> list:
    return []
