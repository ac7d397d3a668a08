"""`entities retry --db PATH --id ID [--actor NAME]`: queue a retry without the app (the worker then handles it)."""
from __future__ import annotations

import argparse
import getpass
import os

from entities import db
from entities.identity import Principal
from entities.sync import retry


def default_actor() -> str:
    return os.environ.get("ENTITIES_ACTOR") or f"{getpass.getuser()} (cli)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=db.db_path(), help="database file (default: ENTITIES_DB or %(default)s)")
    parser.add_argument("--id", dest="ids", type=int, action="append", required=True, metavar="ID",
                        help="entity id to retry (repeatable)")
    parser.add_argument("--actor", default=default_actor(),
                        help="who asks, recorded on the retry (default: %(default)s)")


def run(args) -> int:
    con = db.connect(args.db)
    # whoever can open the file directly is its local admin; --actor is the name the audit shows
    result = retry.request(con, args.ids, Principal(args.actor, kind="local", role="admin", subject=getpass.getuser()))
    for entity_id in result.queued:
        print(f"entity {entity_id}: retry queued by {args.actor}; run `entities worker --db {args.db} --once` "
              "or the app to process it")
    for entity_id in result.already_open:
        print(f"entity {entity_id}: a retry is already queued or running; nothing changed")
    for entity_id in result.missing:
        print(f"entity {entity_id}: no entity with this id; nothing changed")
    return 0 if result.queued else 1
