"""The entity list's URL parameters ↔ the entity_filter arguments, sort and paging: one meaning of "the list".

The list page (lenient: an invalid value is ignored with a notice) and the read API (strict: an invalid value is a
400 with the reason) parse with the same functions here. No Streamlit here.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import queries
from entities.model import SORTS, STATUS_KEYS, TYPE, TYPE_KEYS

PAGE_SIZES = (25, 50, 100, 250)
DEFAULT_PAGE_SIZE = 50
DEFAULT_SORT = "-last_updated"
SORT_OPTIONS = tuple(opt for col in SORTS for opt in (f"-{col}", col))
Q_LIMIT = 10_000
GROUP_LIMIT = 1_000
# The list page's URL parameters, in the order the README lists them.
LIST_PARAMETERS = ("integration", "type", "status", "q", "from", "to", "group", "gave_up", "sort", "page", "size")


class BadParameter(ValueError):
    """A URL or filter value the list cannot take: which parameter and why, in words a user can act on."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name, self.reason = name, reason


# --- Parsers: each takes the raw values of one parameter and returns a value or raises ValueError ----------------

def one_of(allowed: Iterable[Any], cast: Callable[[str], Any] = str) -> Callable[[list[str]], Any]:
    allowed = list(allowed)

    def parse(raw: list[str]) -> Any:
        try:
            value = cast(raw[-1].strip())
        except (TypeError, ValueError):
            raise ValueError(f"{raw[-1]!r} is not a valid value") from None
        if value not in allowed:
            raise ValueError(f"{raw[-1]!r} is not one of {', '.join(map(str, allowed))}")
        return value

    return parse


def split_many(raw: list[str]) -> set[str]:
    """Repeatable or comma-separated, case-insensitive: ['error,Pending', 'synced'] -> {error, pending, synced}."""
    return {part.strip().lower() for value in raw for part in value.split(",") if part.strip()}


def all_of(allowed: Iterable[str]) -> Callable[[list[str]], list[str]]:
    """split_many, refusing unknown values; the result follows `allowed`'s order."""
    allowed = list(allowed)

    def parse(raw: list[str]) -> list[str]:
        given = split_many(raw)
        unknown = given - set(allowed)
        if unknown:
            raise ValueError(f"unknown value(s) {', '.join(sorted(unknown))}; allowed: {', '.join(allowed)}")
        return [a for a in allowed if a in given]

    return parse


def positive_int(raw: list[str]) -> int:
    try:
        value = int(raw[-1])
    except ValueError:
        raise ValueError(f"{raw[-1]!r} is not a whole number") from None
    if value < 1:
        raise ValueError("must be 1 or more")
    return value


def bounded_text(limit: int) -> Callable[[list[str]], str]:
    """Strict text: longer than limit is refused (the page truncates instead)."""
    def parse(raw: list[str]) -> str:
        if len(raw[-1]) > limit:
            raise ValueError(f"is {len(raw[-1]):,} characters long; at most {limit:,} are allowed")
        return raw[-1]

    return parse


def parse_sort(raw: list[str]) -> str:
    value = raw[-1].strip()
    if value not in SORT_OPTIONS:
        raise ValueError(f"{value!r} is not a sortable column; use one of {', '.join(SORT_OPTIONS)}")
    return value


def parse_date(raw: list[str]) -> date:
    try:
        return date.fromisoformat(raw[-1].strip())
    except ValueError:
        raise ValueError(f"{raw[-1]!r} is not a date like 2026-11-26") from None


def dump_date(value: date) -> list[str]:
    return [value.isoformat()]


def parse_flag(raw: list[str]) -> bool:
    value = raw[-1].strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{raw[-1]!r} is not 1 or 0")


def dump_flag(value: bool) -> list[str]:
    return ["1"] if value else []


def parse_tz(raw: list[str]) -> ZoneInfo:
    try:
        return ZoneInfo(raw[-1].strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{raw[-1]!r} is not a time zone name like Europe/Stockholm or UTC") from None


# --- The filter as query arguments -------------------------------------------------------------------------------

def filter_params(integration: int, type_: str | None, statuses: list[str] | tuple = (), q: str | None = None,
                  updated_from: datetime | None = None, updated_to: datetime | None = None,
                  error_group: str | None = None, gave_up: bool = False) -> dict:
    """The entity_filter arguments as query parameters: the one description of "the current list". gave_up is
    not a SQL parameter: it makes the runner pick entity_filter_gave_up (queries.filter_macro)."""
    return {"integration": int(integration), "type": type_, "statuses": list(statuses), "q": q or None,
            "updated_from": updated_from, "updated_to": updated_to, "error_group": error_group or None,
            "gave_up": bool(gave_up)}


def sort_idents(sort: str) -> dict[str, str]:
    """'-last_updated' -> ORDER BY slots; only SORTS columns get through."""
    column = sort.removeprefix("-")
    if column not in SORTS:
        raise ValueError(f"cannot sort by {sort!r}")
    return {"order_by": SORTS[column], "direction": "desc" if sort.startswith("-") else "asc"}


def date_bounds(day_from: date | None, day_to: date | None, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """Whole days in the viewer's timezone -> [from, to) instants; `to` includes that whole day."""
    start = datetime.combine(day_from, time(), tz) if day_from else None
    end = datetime.combine(day_to + timedelta(days=1), time(), tz) if day_to else None
    return start, end


def write_csv(con, params: dict, sort: str, path: str | Path) -> int:
    """DuckDB streams every row matching the filter as CSV into the file at path; returns the row count."""
    return int(queries.scalar(con, "export_entities_csv", sort_idents(sort), **params, path=str(path)))


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "integration"


def export_filename(integration_name: str, type_key: str, day: date) -> str:
    """e.g. nordic-outdoor_orders_2026-11-26.csv"""
    return f"{slug(integration_name)}_{slug(TYPE[type_key].label)}_{day.isoformat()}.csv"


# --- Strict parsing of a whole request (the API) -----------------------------------------------------------------

@dataclass(frozen=True)
class ListRequest:
    """One list, as the page's URL describes it, with the page's defaults applied."""
    integration: int
    integration_name: str
    type: str | None  # None only when the integration has no enabled flow: the list is empty
    statuses: tuple[str, ...]
    q: str
    day_from: date | None
    day_to: date | None
    group: str | None
    sort: str
    page: int
    size: int
    tz: ZoneInfo
    gave_up: bool = False

    def filter_params(self) -> dict:
        updated_from, updated_to = date_bounds(self.day_from, self.day_to, self.tz)
        return filter_params(self.integration, self.type, self.statuses, self.q, updated_from, updated_to, self.group,
                             self.gave_up)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def echo(self) -> dict:
        """The effective parameters, defaults included, as the URL would spell them."""
        return {"integration": self.integration, "type": self.type, "status": list(self.statuses), "q": self.q,
                "from": self.day_from.isoformat() if self.day_from else None,
                "to": self.day_to.isoformat() if self.day_to else None, "group": self.group,
                "gave_up": self.gave_up, "sort": self.sort, "page": self.page, "size": self.size, "tz": self.tz.key}


def single(query: Mapping[str, list[str]], name: str) -> list[str]:
    """The non-empty values of a single-valued parameter; giving it twice is refused (the page takes the last)."""
    values = [v for v in query.get(name, []) if v != ""]
    if len(values) > 1:
        raise BadParameter(name, f"given {len(values)} times ({', '.join(map(repr, values))}); give it once")
    return values


def parse_list_request(query: Mapping[str, list[str]], integrations: list[dict], *,
                       allowed: Iterable[str] = (*LIST_PARAMETERS, "tz")) -> ListRequest:
    """Strictly parse list parameters (name -> raw values) against the database's integrations (integrations_list
    rows). Defaults are the page's: the first integration, its first enabled type, every status, newest first,
    page 1 of 50. from/to are whole days in `tz` (default UTC), which the page takes from the browser."""
    allowed = tuple(allowed)
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        raise BadParameter(unknown[0], f"unknown parameter; the list takes {', '.join(allowed)}")

    def value(name: str, parse: Callable[[list[str]], Any], default: Any) -> Any:
        raw = single(query, name)
        if not raw:
            return default
        try:
            return parse(raw)
        except ValueError as exc:
            raise BadParameter(name, str(exc)) from None

    if not integrations:
        raise BadParameter("integration", "this database has no integrations yet")
    by_id = {int(i["id"]): i for i in integrations}
    integration = value("integration", one_of(by_id, int), next(iter(by_id)))
    enabled = [t for t in TYPE_KEYS if t in list(by_id[integration]["enabled_types"])]
    type_ = value("type", one_of(TYPE_KEYS), enabled[0] if enabled else None)
    if type_ is not None and type_ not in enabled:
        raise BadParameter("type", f"integration {integration} ({by_id[integration]['name']}) has no enabled "
                                   f"{type_} flow; its enabled types are {', '.join(enabled) or 'none'}")
    raw_status = [v for v in query.get("status", []) if v != ""]
    try:
        statuses = all_of(STATUS_KEYS)(raw_status) if raw_status else []
    except ValueError as exc:
        raise BadParameter("status", str(exc)) from None
    day_from = value("from", parse_date, None)
    day_to = value("to", parse_date, None)
    if day_from and day_to and day_from > day_to:
        raise BadParameter("from", f"{day_from} is after to={day_to}")
    return ListRequest(
        integration=integration, integration_name=str(by_id[integration]["name"]), type=type_,
        statuses=tuple(statuses), q=value("q", bounded_text(Q_LIMIT), ""), day_from=day_from, day_to=day_to,
        group=value("group", bounded_text(GROUP_LIMIT), None), sort=value("sort", parse_sort, DEFAULT_SORT),
        page=value("page", positive_int, 1), size=value("size", one_of(PAGE_SIZES, int), DEFAULT_PAGE_SIZE),
        tz=value("tz", parse_tz, ZoneInfo("UTC")), gave_up=value("gave_up", parse_flag, False))
