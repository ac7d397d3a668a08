"""`entities policy --db PATH [--integration ID settings…]`: show every integration's retry limits and auto-retry
policy, or change one integration's (stored in retry_policies; the worker re-reads them every few seconds)."""
from __future__ import annotations

import argparse
import sys

import queries
from entities import db
from entities.sync import policy

SETTINGS = ("auto_retry", "base_seconds", "factor", "cap_seconds", "max_attempts", "concurrency", "rate_requests",
            "rate_seconds", "batch_size")


def _rate(text: str) -> tuple[int | None, float | None]:
    if text.strip().lower() in ("none", "off"):
        return 0, None  # stored as 0: no rate limit (null would mean the default)
    try:
        requests, _, seconds = text.partition("/")
        return int(requests), float(seconds or 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not REQUESTS/SECONDS, e.g. 25/5, or none") from None


def _on_off(text: str) -> bool:
    if text.lower() in ("on", "true", "yes", "1"):
        return True
    if text.lower() in ("off", "false", "no", "0"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not on or off")


def _batch(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=db.db_path(), help="database file (default: ENTITIES_DB or %(default)s)")
    parser.add_argument("--integration", type=int, metavar="ID", help="the integration to change")
    parser.add_argument("--auto-retry", type=_on_off, metavar="on|off", help="retry transient failures by policy")
    parser.add_argument("--base", type=float, dest="base_seconds", metavar="S", help="first backoff, seconds")
    parser.add_argument("--factor", type=float, metavar="F", help="backoff growth per attempt")
    parser.add_argument("--cap", type=float, dest="cap_seconds", metavar="S", help="longest backoff, seconds")
    parser.add_argument("--attempts", type=int, dest="max_attempts", metavar="N", help="attempts in all")
    parser.add_argument("--concurrency", type=int, metavar="N", help="handler calls at once")
    parser.add_argument("--rate", type=_rate, metavar="N/S", help="at most N calls per S seconds, or none")
    parser.add_argument("--batch", type=_batch, dest="batch_size", metavar="K",
                        help="requests per webhook call (1 = one call per record)")
    parser.add_argument("--reset", action="store_true", help="drop the integration's overrides: back to defaults")


def run(args) -> int:
    con = db.connect(args.db)
    changes = {k: getattr(args, k) for k in SETTINGS[:6] if getattr(args, k, None) is not None}
    if args.rate is not None:
        changes["rate_requests"], changes["rate_seconds"] = args.rate
    if args.batch_size is not None:
        changes["batch_size"] = args.batch_size
    if changes or args.reset:
        if args.integration is None:
            print("entities policy: say which integration to change with --integration ID", file=sys.stderr)
            return 2
        if args.integration not in policy.load(con):
            print(f"entities policy: no integration with id {args.integration}", file=sys.stderr)
            return 2
        stored = {} if args.reset else dict(zip(SETTINGS, queries.one(
            con, "retry_policy_row", integration_id=args.integration) or [None] * len(SETTINGS), strict=True))
        try:
            with db.write(con):
                queries.run(con, "retry_policy_upsert", integration_id=args.integration,
                            **{k: stored.get(k) for k in SETTINGS} | changes)
        except Exception as exc:  # noqa: BLE001 - a constraint names the bad value
            print(f"entities policy: not changed: {str(exc).splitlines()[0]}", file=sys.stderr)
            return 2
    names = {row["id"]: row["name"] for row in queries.records(con, "integrations_list")}
    for integration_id, rules in sorted(policy.load(con).items()):
        if args.integration not in (None, integration_id):
            continue
        auto = (f"auto-retry {rules.max_attempts} attempts, backoff {rules.base_seconds:g} s × {rules.factor:g} up "
                f"to {rules.cap_seconds:g} s") if rules.auto_retry else "auto-retry off"
        print(f"{integration_id:>4}  {names.get(integration_id, '?')}: {rules.limit_text}; {auto}")
    return 0
