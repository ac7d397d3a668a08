"""Statuses, types and other enumerations: defined once, checked against the schema by a test."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    key: str
    label: str
    color: str
    description: str


@dataclass(frozen=True)
class EntityType:
    key: str
    label: str  # tab label, plural
    singular: str
    children_label: str
    has_total: bool = False  # the list shows a Total column (the total with its currency)


STATUSES = (
    Status("synced", "Synced", "#1f9d55", "Synced successfully"),
    Status("error", "Error", "#d64545", "The last sync failed"),
    Status("pending", "Pending", "#d69e2e", "Queued, not yet processed"),
)
STATUS = {s.key: s for s in STATUSES}
STATUS_KEYS = tuple(STATUS)

TYPES = (
    EntityType("article", "Articles", "Article", "variants"),
    EntityType("customer", "Customers", "Customer", "contacts"),
    EntityType("order", "Orders", "Order", "order lines", has_total=True),
    EntityType("stock", "Stock", "Stock level", "locations"),
)
TYPE = {t.key: t for t in TYPES}
TYPE_KEYS = tuple(TYPE)

OUTCOMES = ("success", "error", "pending")
OUTCOME_COLORS = {"success": STATUS["synced"].color, "error": STATUS["error"].color, "pending": STATUS["pending"].color}
OPERATIONS = ("create", "update", "retry", "delete")
RETRY_STATES = ("queued", "running", "succeeded", "failed")
OPEN_RETRY_STATES = ("queued", "running")
SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY_COLORS = {"low": "#718096", "medium": "#d69e2e", "high": "#dd6b20", "critical": "#c53030"}

# Columns of the entity list a user may sort by: URL value -> SQL column. The only source of ORDER BY names.
SORTS = {
    "last_updated": "last_updated",
    "status": "status",
    "retriever_ref": "retriever_ref",
    "storer_ref": "storer_ref",
    "children": "children",
}


@dataclass(frozen=True)
class AlertKind:
    key: str
    label: str
    value: str  # what the number is, with its unit, for the page and notifications
    uses: tuple[str, ...] = ()  # which optional rule settings apply: window, min_volume, age, group
    scoped: bool = True  # integration/type narrow it
    status: str | None = None  # the list status a deep link filters to
    list_flags: tuple[str, ...] = ()  # list URL flags a deep link sets, e.g. gave_up (=1)


# Every kind's value is computed by queries/alert_value_<key>.sql, except flow_stale: the stale flows of
# queries/flow_freshness.sql (entities/watch/freshness.py), the one definition of stale. Higher is always worse.
ALERT_KINDS = (
    AlertKind("error_rate", "Error rate", "% of transactions that failed in the window", ("window", "min_volume"),
              status="error"),
    AlertKind("error_count", "Error count", "failed transactions in the window", ("window", "min_volume"),
              status="error"),
    AlertKind("group_spike", "Error group spike", "× the group's 7-day baseline for the window",
              ("window", "min_volume", "group"), status="error"),
    AlertKind("group_regressed", "Error group regressed", "error groups that regressed (resolved, then failing again)",
              ("group",), status="error"),
    AlertKind("flow_stale", "Flow stale", "stale flows (no success for longer than their threshold)"),
    AlertKind("stuck_pending", "Stuck pending", "records pending longer than the age", ("age",), status="pending"),
    AlertKind("retry_depth", "Retry queue depth", "retry requests queued or running"),
    AlertKind("retry_age", "Oldest retry request", "minutes the oldest queued request has waited"),
    AlertKind("gave_up", "Auto-retry gave up", "records the auto-retry policy gave up on (still in error)",
              status="error", list_flags=("gave_up",)),
)
ALERT_KIND = {k.key: k for k in ALERT_KINDS}
ALERT_STATES = ("ok", "pending", "firing")
ALERT_EVENTS = ("fired", "resolved")
CHANNEL_KINDS = ("webhook", "email")
WEBHOOK_FORMATS = ("json", "slack")
DELIVERY_STATUSES = ("queued", "sent", "failed")
