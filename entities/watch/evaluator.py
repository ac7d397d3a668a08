"""The alert evaluator: computes every enabled rule's value and moves its state, notifying once per change.

    ok --(value >= threshold)--> pending --(still true after the pending period)--> firing  [fired event]
    pending --(value < threshold)--> ok                                               (no event)
    firing --(value < recovery threshold, or no data)--> ok                           [resolved event]

A firing rule stays quiet until it resolves. An event of a rule that is not snoozed queues one delivery per
channel; channels.py sends them, so a slow receiver never delays evaluation. Values come from
queries/alert_value_<kind>.sql, one query per kind for all its rules, evaluated at an explicit `now`
(flow_stale: the stale flows of freshness.py).

The 7-day parts (each flow's usual interval, each error group's weekly baseline) read about a tenth of all
transactions and move slowly, so they are computed at most every BASELINE_SECONDS per database and window set and
kept in memory; every evaluation still reads the recent part itself (a flow's successes since the baseline, a
group's errors in the rule's window), so firing and resolving never wait for a refresh.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import queries
from entities import db
from entities.model import ALERT_KIND, TYPE
from entities.watch import freshness

log = logging.getLogger("entities.alerts")
DEFAULT_INTERVAL = 60.0
BASELINE_SECONDS = 15 * 60
_baselines: dict[tuple, tuple[datetime, object]] = {}
DEFAULT_PUBLIC_URL = "http://localhost:8501"


def interval() -> float | None:
    """Seconds between evaluations (ENTITIES_ALERT_INTERVAL, default 60); None when set to 0 or off."""
    raw = os.environ.get("ENTITIES_ALERT_INTERVAL", "").strip().lower()
    if raw in ("off", "false", "no"):
        return None
    try:
        seconds = float(raw) if raw else DEFAULT_INTERVAL
    except ValueError:
        seconds = DEFAULT_INTERVAL
    return seconds if seconds > 0 else None


def public_url() -> str:
    return (os.environ.get("ENTITIES_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")


def scope_text(rule: dict) -> str:
    """The rule's scope as a person says it: 'Nordic Outdoor · Orders · group "…"'."""
    parts = [rule.get("integration") or (f"integration {rule['integration_id']}" if rule.get("integration_id")
                                         else "all integrations"),
             TYPE[rule["type"]].label if rule.get("type") in TYPE else "all types"]
    if rule.get("error_group"):
        parts.append(f'group "{rule["error_group"]}"')
    return " · ".join(parts)


def deep_path(rule: dict) -> str:
    """Where a reader of the alert goes in the app: the list filtered to the rule's scope, or the page showing it."""
    kind = ALERT_KIND[rule["kind"]]
    if rule["kind"] in ("retry_depth", "retry_age"):
        return "/audit?retry_state=queued"
    if rule.get("integration_id") is None:
        return "/overview"
    params = {"integration": rule["integration_id"]}
    if rule.get("type"):
        params["type"] = rule["type"]
    if kind.status:
        params["status"] = kind.status
    if rule.get("error_group"):
        params["group"] = rule["error_group"]
    params.update(dict.fromkeys(kind.list_flags, 1))
    return f"/?{urlencode(params)}"


def deep_link(rule: dict) -> str:
    """deep_path as an absolute URL (ENTITIES_PUBLIC_URL), for notifications read outside the app."""
    return public_url() + deep_path(rule)


@dataclass(frozen=True)
class Step:
    state: str
    since: datetime | None
    event: str | None  # fired | resolved | None


def next_state(rule: dict, value: float | None, now: datetime) -> Step:
    """One evaluation of the state machine (see the module docstring)."""
    state, since = rule["state"], rule["since"]
    breached = value is not None and value >= rule["threshold"]
    if state == "firing":
        if value is None or value < rule["recovery_threshold"]:
            return Step("ok", now, "resolved")
        return Step("firing", since, None)
    if not breached:
        return Step("ok", since if state == "ok" else now, None)
    started = since if state == "pending" and since is not None else now
    if now - started >= timedelta(seconds=rule["pending_seconds"] or 0):
        return Step("firing", now, "fired")
    return Step("pending", started, None)


def _baseline(con, what: tuple, now: datetime, compute) -> tuple[datetime, object]:
    """(as_of, value) of a slow-moving 7-day part, recomputed when older than BASELINE_SECONDS or ahead of `now`."""
    key = (queries.scalar(con, "database_path"), *what)
    found = _baselines.get(key)
    if found is None or not found[0] <= now < found[0] + timedelta(seconds=BASELINE_SECONDS):
        found = _baselines[key] = (now, compute())
    return found


def _stale_flows(con, rules: list[dict], now: datetime) -> dict[int, float]:
    """flow_stale: the flows freshness.py calls stale at `now`, in each rule's scope. The flows' history (usual
    interval, hence threshold) comes from the kept baseline; their last success is topped up to `now`."""
    as_of, flows = _baseline(con, ("flows",), now, lambda: freshness.flows(con, None, now))
    recent = {(r["integration_id"], r["type"]): r["last_success_at"]
              for r in queries.records(con, "flow_last_success", since=as_of - timedelta(minutes=1), now=now)}
    stale = [f for f in flows if freshness.still_stale(f, recent.get((f["integration_id"], f["type"])), now)]
    return {rule["id"]: float(sum(1 for f in stale if rule["integration_id"] in (None, f["integration_id"])
                                  and rule["type"] in (None, f["type"]))) for rule in rules}


def _spike_baselines(con, rules: list[dict], now: datetime) -> dict[str, list]:
    """group_spike: each group's errors in the 7 days before each window, as the b_* lists of the value query."""
    windows = sorted({int(rule["window_minutes"]) for rule in rules})
    _, rows = _baseline(con, ("spike", *windows), now,
                        lambda: queries.rows(con, "error_group_baselines", now=now, windows=windows))
    columns = ("b_windows", "b_integrations", "b_types", "b_groups", "b_weeks")
    return {name: [row[i] for row in rows] for i, name in enumerate(columns)}


def values(con, rules: list[dict], now: datetime, before: bool = False) -> dict[int, float | None]:
    """Each rule's value at `now`: one named query per kind, for all rules of that kind. before=True computes them
    as the evaluator did before the 7-day baselines were kept (queries/bench_*_before.sql), for `entities bench`."""
    by_kind: dict[str, list[dict]] = {}
    for rule in rules:
        by_kind.setdefault(rule["kind"], []).append(rule)
    found: dict[int, float | None] = {}
    for kind, of_kind in by_kind.items():
        if kind not in ALERT_KIND:
            continue  # a kind this code does not know (stored by a newer version): left alone
        if kind == "flow_stale":
            found.update(_stale_flows_before(con, of_kind, now) if before else _stale_flows(con, of_kind, now))
            continue
        ids = [rule["id"] for rule in of_kind]
        name, extra = f"alert_value_{kind}", {}
        if kind == "group_spike":
            if before:
                name = "bench_alert_value_group_spike_before"
            else:
                extra = _spike_baselines(con, of_kind, now)
        for rule_id, value in queries.rows(con, name, now=now, rule_ids=ids, **extra):
            found[rule_id] = None if value is None else float(value)
    return found


def _stale_flows_before(con, rules: list[dict], now: datetime) -> dict[int, float]:
    stale = [f for f in queries.records(con, "bench_flow_freshness_before", integration=None, now=now) if f["stale"]]
    return {rule["id"]: float(sum(1 for f in stale if rule["integration_id"] in (None, f["integration_id"])
                                  and rule["type"] in (None, f["type"]))) for rule in rules}


def evaluate(con, now: datetime | None = None, before: bool = False) -> list[dict]:
    """Evaluate every enabled rule at `now`; record states, events and queued deliveries; return the events.
    before: see values()."""
    now = now or datetime.now(UTC)
    rules = queries.records(con, "alert_rules_enabled")
    if not rules:
        return []
    found = values(con, rules, now, before)
    events = []
    known = [rule for rule in rules if rule["kind"] in ALERT_KIND]
    steps = [next_state(rule, found.get(rule["id"]), now) for rule in known]
    # Alert bookkeeping changes no entity data: pages' cached queries stay valid (bump=False); /alerts reads
    # its small tables uncached.
    with db.write(con, bump=False):
        queries.run(con, "alert_states_upsert", rule_ids=[r["id"] for r in known], states=[s.state for s in steps],
                    sinces=[s.since for s in steps], rule_values=[found.get(r["id"]) for r in known], now=now)
        for rule, step in zip(known, steps, strict=True):
            if step.event:
                events.append(_record_event(con, rule, step.event, found.get(rule["id"]), now))
    return events


def _record_event(con, rule: dict, event: str, value: float | None, now: datetime) -> dict:
    snoozed = rule["snoozed_until"] is not None and rule["snoozed_until"] > now
    threshold = rule["threshold"] if event == "fired" else rule["recovery_threshold"]
    record = {"rule_id": rule["id"], "rule_name": rule["name"], "event": event, "value": value,
              "threshold": threshold, "scope": scope_text(rule), "link": deep_link(rule), "notified": not snoozed}
    record["id"] = queries.scalar(con, "alert_event_insert", now=now, **record)
    record["deliveries"] = [] if snoozed else [
        row[0] for row in queries.rows(con, "alert_deliveries_insert", event_id=record["id"], rule_id=rule["id"],
                                       now=now)]
    return record


class AlertJob:
    """The lifespan job: evaluates every `every` seconds on one thread and sends deliveries on another, so a slow
    or unreachable receiver never delays an evaluation. The sender wakes when an evaluation queued deliveries, and
    every DELIVERY_POLL_SECONDS for retries that have come due."""

    DELIVERY_POLL_SECONDS = 10.0

    def __init__(self, con, every: float = DEFAULT_INTERVAL):
        self.eval_con, self.delivery_con = con.cursor(), con.cursor()
        self.every = every
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    def _evaluate(self) -> None:
        if any(event["deliveries"] for event in evaluate(self.eval_con)):
            self._wake.set()

    def _deliver(self) -> None:
        from entities.watch import channels

        self._wake.clear()
        channels.deliver_due(self.delivery_con)

    def _loop(self, step, wait, what: str) -> None:
        while not self._stop.is_set():
            try:
                step()
            except Exception:  # noqa: BLE001 - one bad round must not stop alerting
                log.exception("alert %s failed; trying again", what)
            wait()

    def _wait_for_deliveries(self) -> None:
        self._wake.wait(self.DELIVERY_POLL_SECONDS)

    def start(self) -> AlertJob:
        for name, step, wait in (("alert-evaluator", self._evaluate, lambda: self._stop.wait(self.every)),
                                 ("alert-delivery", self._deliver, self._wait_for_deliveries)):
            thread = threading.Thread(target=self._loop, args=(step, wait, name), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
