"""`entities feed`: a sync-engine simulator that posts live records to the app's API (POST /api/v1/events).

It speaks like the demo data (entities/cli/demo.py, queries/demo_*.sql): the demo's integrations and platforms,
their reference styles, error codes and payload shapes. New orders arrive, records get updated, some fail for good
(a missing article, a booked invoice), transient failures succeed on a retry a few seconds later, and now and then
one storer has an incident and fails most calls for half a minute.

`--url URL --token TOKEN` posts to any app. `--db PATH` finds the app running on that database and makes itself a
token through it (what `make run` does); it stops when that app stops.
"""
from __future__ import annotations

import json
import os
import random
import signal
import sys
import threading
import time
from dataclasses import dataclass
from decimal import Decimal

import httpx

# The demo's integrations (queries/demo_integrations.sql): id, retriever, storer.
INTEGRATIONS = [(1, "Shopify", "Fortnox"), (2, "WooCommerce", "Visma eEkonomi"),
                (3, "Magento", "Microsoft Dynamics 365 Business Central"), (4, "Shopify", "Visma Business NXT"),
                (5, "Shopify Plus", "SAP Business One"), (6, "WooCommerce", "Fortnox"), (7, "BigCommerce", "NetSuite"),
                (8, "Centra", "Microsoft Dynamics 365 Business Central")]
TRANSIENT = {"RATE_LIMITED": "Rate limit exceeded: 429 Too Many Requests (retry after {n} s)",
             "TIMEOUT": "Request to {storer} timed out after 30000 ms",
             "UPSTREAM_5XX": "503 Service Unavailable from {storer} API"}
PERMANENT = {"ARTICLE_NOT_FOUND": "Article '{sku}' not found in {storer}",
             "VAT_CODE_MISMATCH": "VAT code 25 does not match sales account 3001 for order {ref}",
             "CUSTOMER_EMAIL_MISSING": "Customer {ref} has no e-mail address",
             "CURRENCY_NOT_ENABLED": "Currency NOK is not enabled in {storer}"}
INCIDENT = {"TOKEN_EXPIRED": "Access token expired (401 Unauthorized); reconnect {storer} in the integration settings",
            "UPSTREAM_5XX": "502 Bad Gateway from {storer} API"}
TYPES = [("order", 70), ("article", 12), ("customer", 12), ("stock", 6)]
CURRENCIES = {"SEK": 78, "EUR": 10, "NOK": 8, "USD": 4}  # as the demo's orders
UNIT_PRICES = {"SEK": ("199.00", "349.00", "1299.00"), "NOK": ("199.00", "349.00", "1299.00"),
               "EUR": ("19.95", "34.95", "129.95"), "USD": ("19.95", "34.95", "129.95")}


def configure(parser) -> None:
    parser.add_argument("--url", help="the app's address, e.g. http://127.0.0.1:8501")
    parser.add_argument("--token", default=os.environ.get("ENTITIES_TOKEN"),
                        help="an API token with the ingest scope (default: $ENTITIES_TOKEN)")
    parser.add_argument("--db", help="instead of --url/--token: the app running on this database, with a token "
                                     "the feed makes for itself through it")
    parser.add_argument("--rate", type=float, default=20.0, metavar="N", help="records per second (default 20)")
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long (default: run until "
                                                                    "stopped)")
    parser.add_argument("--seed", type=int, default=None, help="pseudo-random seed (default: the clock)")
    parser.add_argument("--wait", type=float, default=120.0, metavar="S",
                        help="with --db: how long to wait for the app to start (default 120 s)")


@dataclass
class Record:
    integration: int
    type: str
    ref: str
    storer_ref: str | None
    created: str
    children: int
    currency: str | None = None
    prices: tuple[str, ...] = ()  # an order's line amounts; its total is their sum

    @property
    def total(self) -> str | None:
        return f"{sum(Decimal(p) for p in self.prices):.2f}" if self.prices else None


class Engine:
    """Makes the records of one tick: entity rows with their transactions (and order lines), in the contract."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.next_tx = time.time_ns() // 1000  # transaction ids: the engine's own, growing, unique across runs
        self.serial = self.rng.randrange(1_000_000)
        self.known: list[Record] = []
        self.retry_later: list[tuple[float, Record, str]] = []
        self.incident: tuple[int, str, float] | None = None  # integration, code, until

    def _tx_id(self) -> int:
        self.next_tx = max(self.next_tx + 1, time.time_ns() // 1000)
        return self.next_tx

    def _ref(self, retriever: str, kind: str, n: int) -> str:
        if kind in ("article", "stock"):
            return f"SKU-{20000 + n % 80000}"
        if kind == "customer":
            return f"cust-{9000 + n}" if retriever == "Centra" else str(6900000000000 + n * 7919)
        return {"WooCommerce": f"wc-{70000 + n}", "Magento": f"{20000 + n:09d}", "BigCommerce": str(5000 + n),
                "Centra": str(40000 + n)}.get(retriever, f"#{200000 + n}")

    def tick(self, count: int, now: float) -> list[dict]:
        out: list[dict] = []
        if self.incident and self.incident[2] < now:
            self.incident = None
        if self.incident is None and self.rng.random() < 0.004:  # about one incident every few minutes at 1 tick/s
            self.incident = (self.rng.choice(INTEGRATIONS)[0], self.rng.choice(list(INCIDENT)),
                             now + self.rng.uniform(20, 45))
        used: set[int] = set()  # one row per record and batch: two rows of one key in a batch are both rejected
        waiting = []
        for item in self.retry_later:
            if item[0] <= now and id(item[1]) not in used:
                used.add(id(item[1]))
                out += self._sync(item[1], "retry", now, outcome="success", previous=item[2])
            else:
                waiting.append(item)
        self.retry_later = waiting
        pending = {id(item[1]) for item in waiting}
        while len(out) < count:
            record = self.rng.choice(self.known[-2000:]) if self.known and self.rng.random() < 0.3 else None
            if record is not None and id(record) not in used and id(record) not in pending:
                used.add(id(record))
                out += self._sync(record, "update", now)
            else:
                out += self._create(now, used)
        return out

    def _create(self, now: float, used: set[int]) -> list[dict]:
        integration, retriever, storer = self.rng.choice(INTEGRATIONS)
        kind = self.rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
        self.serial += 1
        ref = self._ref(retriever, kind, self.serial)
        lines = self.rng.randint(1, 4) if kind == "order" else 0
        record = Record(integration, kind, ref, None, _iso(now), lines)
        if kind == "order":
            record.currency = self.rng.choices(list(CURRENCIES), list(CURRENCIES.values()))[0]
            record.prices = tuple(f"{Decimal(self.rng.choice(UNIT_PRICES[record.currency])) * (n + 1):.2f}"
                                  for n in range(lines))
        self.known.append(record)
        used.add(id(record))
        return self._sync(record, "create", now)

    def _sync(self, record: Record, operation: str, now: float, outcome: str | None = None,
              previous: str | None = None) -> list[dict]:
        storer = next(s for i, _, s in INTEGRATIONS if i == record.integration)
        code = None
        if outcome is None:
            roll = self.rng.random()
            if self.incident and self.incident[0] == record.integration and roll < 0.7:
                code = self.incident[1]
            elif roll < 0.06:
                code = self.rng.choice(list(TRANSIENT))
                self.retry_later.append((now + self.rng.uniform(3, 15), record, code))
            elif roll < 0.09:
                code = self.rng.choice(list(PERMANENT))
            outcome = "error" if code else "success"
        message = None
        if code:
            template = {**TRANSIENT, **PERMANENT, **INCIDENT}[code]
            message = template.format(n=self.rng.randint(2, 30), storer=storer, ref=record.ref,
                                      sku=f"SKU-{self.rng.randint(10000, 99999)}")
        elif record.storer_ref is None:
            record.storer_ref = f"F-{600000 + self.serial}" if record.type == "order" else record.ref
        at = _iso(now)
        entity = {"kind": "entities", "integration_id": record.integration, "type": record.type,
                  "retriever_ref": record.ref, "status": "error" if code else "synced", "last_updated": at,
                  "created_at": record.created, "storer_ref": record.storer_ref, "children": record.children,
                  "error_code": code, "error_message": message,
                  **({"total": record.total, "currency": record.currency} if record.type == "order" else {})}
        request = {"order": {"name": record.ref, "currency": record.currency, "total_price": record.total,
                             "line_items": [{"sku": f"SKU-{10000 + n}", "quantity": n + 1}
                                            for n in range(record.children)]}} if record.type == "order" else \
            {record.type: {"id": record.ref, "updated_seq": self.rng.randint(1, 99)}}
        response = ({"ErrorInformation": {"error": 1, "message": message, "code": 2000000 + self.rng.randint(0, 999)}}
                    if code else {"Invoice": {"DocumentNumber": record.storer_ref,
                                              "Currency": record.currency or "SEK"}})
        transaction = {"kind": "transactions", "id": self._tx_id(), "integration_id": record.integration,
                       "entity_type": record.type, "entity_ref": record.ref, "occurred_at": at,
                       "operation": operation, "outcome": outcome, "actor": "sync-engine", "error_code": code,
                       "message": message or (f"Retried after {previous}" if previous else f"{operation.title()}d "
                                              f"{record.type} {record.storer_ref}"),
                       "request_payload": request, "response_payload": response,
                       "duration_ms": self.rng.randint(80, 30000 if code == "TIMEOUT" else 1500)}
        lines = [{"kind": "children", "integration_id": record.integration, "entity_type": "order",
                  "entity_ref": record.ref, "line_no": n + 1, "retriever_ref": f"SKU-{10000 + n}",
                  "status": "error" if code else "synced", "quantity": str(n + 1), "amount": record.prices[n],
                  "currency": record.currency}
                 for n in range(record.children)] if operation == "create" else []
        return [entity, *lines, transaction]


def _iso(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int(at * 1000) % 1000:03d}Z"


def _through_app(db_path: str, wait: float) -> tuple[str, str] | None:
    from entities.cli import appclient

    deadline = time.monotonic() + wait
    while (app := appclient.find_app(db_path)) is None:
        if time.monotonic() > deadline:
            return None
        time.sleep(0.5)
    try:
        made = app.post("/tokens", {"name": "feed (entities feed)", "scopes": ["ingest"], "replace": True})
    finally:
        app.close()
    return app.url, made["token"]


def run(args) -> int:
    if args.db:
        found = _through_app(args.db, args.wait)
        if found is None:
            print(f"entities feed: no app is running on {args.db} (waited {args.wait:.0f} s). Start it with "
                  "`entities serve --db PATH` or `make run`.", file=sys.stderr)
            return 1
        url, token = found
    elif args.url and args.token:
        url, token = args.url.rstrip("/"), args.token
    else:
        print("entities feed: give --url and --token (or $ENTITIES_TOKEN), or --db PATH of a running app.",
              file=sys.stderr)
        return 2
    if args.rate <= 0:
        print("entities feed: --rate must be more than 0", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return _loop(url, token, args, stop)


def _loop(url: str, token: str, args, stop: threading.Event) -> int:
    engine = Engine(args.seed if args.seed is not None else time.time_ns())
    client = httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}",
                                                             "Content-Type": "application/x-ndjson"})
    started = last_report = time.monotonic()
    owed, sent, rejected, failures, tick = 0.0, 0, 0, 0, time.monotonic()
    print(f"Feeding {url} at about {args.rate:g} records/s (Ctrl-C stops)", flush=True)
    while not stop.is_set():
        if args.seconds is not None and time.monotonic() - started >= args.seconds:
            break
        owed += args.rate * (time.monotonic() - tick)
        tick = time.monotonic()
        records = engine.tick(int(owed), time.time()) if owed >= 1 else []
        owed -= len(records)
        if records:
            body = "\n".join(json.dumps(r, separators=(",", ":")) for r in records).encode() + b"\n"
            try:
                response = client.post("/api/v1/events", content=body)
            except httpx.HTTPError as exc:
                failures += 1
                if args.db and failures >= 5:
                    print(f"entities feed: the app at {url} stopped answering ({exc}); stopping", flush=True)
                    return 0
            else:
                failures = 0
                if response.status_code in (401, 403):
                    print(f"entities feed: the app refused the token ({response.status_code}): "
                          f"{response.json().get('error')}", file=sys.stderr)
                    return 2
                if response.status_code == 200:
                    answer = response.json()
                    sent += answer["received"]
                    rejected += answer["rejected"]
                    for reject in answer["rejects"][:3] if answer["rejected"] and rejected <= 3 else ():
                        print(f"entities feed: rejected: {reject['reason']}", file=sys.stderr)
        if time.monotonic() - last_report >= 60:
            last_report = time.monotonic()
            print(f"fed {sent:,} records ({rejected:,} rejected) in {last_report - started:,.0f} s", flush=True)
        stop.wait(1.0)
    print(f"fed {sent:,} records ({rejected:,} rejected)", flush=True)
    return 0
