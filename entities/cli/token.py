"""`entities token create|list|revoke`: API tokens, through the running app when there is one, else directly."""
from __future__ import annotations

import argparse
import sys

from entities import db, identity
from entities.cli import appclient
from entities.web import tokens


def configure(parser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = sub.add_parser("create", help="create a token; prints it once, as the last line")
    create.add_argument("--name", required=True, help="a name for the token, shown in the audit (token:NAME)")
    create.add_argument("--scope", action="append", required=True, choices=tokens.SCOPES, dest="scopes",
                        help="what the token may do; repeat for more (ingest, read, retry)")
    create.add_argument("--expires-days", type=_days, default=None, metavar="N", help="expire after N days")
    create.add_argument("--replace", action="store_true", help="revoke an active token of the same name first")
    listing = sub.add_parser("list", help="list tokens (never their secrets)")
    revoke = sub.add_parser("revoke", help="revoke a token by name")
    revoke.add_argument("name")
    for command in (create, listing, revoke):
        command.add_argument("--db", default=None, help="database file (default: $ENTITIES_DB or data/demo.duckdb)")


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from exc
    if not 0 < value <= 3650:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 3650")
    return value


def run(args) -> int:
    path = args.db or db.db_path()
    app = appclient.find_app(path)
    try:
        result = _through_app(app, args) if app else _direct(path, args)
    except (tokens.TokenError, appclient.AppError) as exc:
        print(f"entities token {args.action}: {exc}", file=sys.stderr)
        return 2
    finally:
        if app:
            app.close()
    _print(args.action, result)
    return 0


def _through_app(app: appclient.AppClient, args):
    if args.action == "create":
        return app.post("/tokens", {"name": args.name, "scopes": args.scopes, "expires_days": args.expires_days,
                                    "replace": args.replace})
    if args.action == "list":
        return app.get("/tokens")["tokens"]
    return app.post(f"/tokens/{args.name}/revoke")


def _direct(path: str, args):
    con = db.connect(path)
    try:
        if args.action == "create":
            return tokens.create(con, identity.CLI, args.name, args.scopes, args.expires_days, args.replace)
        if args.action == "list":
            return tokens.listing(con)
        tokens.revoke(con, identity.CLI, args.name)
        return {"revoked": args.name}
    finally:
        con.close()


def _print(action: str, result) -> None:
    if action == "create":
        expiry = f", expires {result['expires_at'][:16].replace('T', ' ')} UTC" if result["expires_at"] else ""
        print(f"Created token {result['name']!r} (scopes {', '.join(result['scopes'])}{expiry}).")
        print("Store it now: it is shown only once. Send it as 'Authorization: Bearer <token>'.")
        print(result["token"])
    elif action == "list":
        if not result:
            print("No tokens. Create one with `entities token create --name NAME --scope ingest`.")
            return
        header = ("name", "scopes", "state", "created", "by", "expires", "last used", "uses")
        rows = [header] + [(r["name"], ",".join(r["scopes"]), r["state"], _when(r["created_at"]), r["created_by"],
                            _when(r["expires_at"]), _when(r["last_used_at"]), str(r["use_count"])) for r in result]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        for row in rows:
            print("  ".join(v.rjust(w) if i == len(header) - 1 else v.ljust(w)
                            for i, (v, w) in enumerate(zip(row, widths, strict=True))).rstrip())
    else:
        print(f"Revoked token {result['revoked']!r}; requests with it now get 401.")


def _when(value: str | None) -> str:
    return value[:16].replace("T", " ") + " UTC" if value else "-"
