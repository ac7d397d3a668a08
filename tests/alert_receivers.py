"""Real local receivers for alert tests: an HTTP server (webhooks) and an aiosmtpd SMTP server (email),
plus an incident written through `entities import`."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from conftest import free_port

from entities.cli import main


class Webhook:
    """Records every POST; answers with the queued statuses first (e.g. [500]) and 200 after."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def json(self, i: int) -> dict:
        return json.loads(self.requests[i]["body"])

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Inbox:
    """An aiosmtpd server on a free port collecting every message it accepts."""

    def __init__(self):
        self.messages: list = []
        inbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
                inbox.messages.append({"to": envelope.rcpt_tos, "from": envelope.mail_from, "message": message})
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def env(self) -> dict[str, str]:
        return {"ENTITIES_SMTP_HOST": "127.0.0.1", "ENTITIES_SMTP_PORT": str(self.port),
                "ENTITIES_SMTP_STARTTLS": "off", "ENTITIES_SMTP_FROM": "alerts@junipeer.test"}

    def close(self):
        self.controller.stop()


def incident_rows(at: list[datetime], integration_id: int = 1,
                  refs=("#1001", "#1002", "#1003", "#1004", "#10010", "#1006"), first_id: int = 9_100_000,
                  message: str = "Rate limit exceeded: 429 Too Many Requests", type: str = "order",
                  error_code: str = "RATE_LIMITED") -> dict[str, list[dict]]:
    """An incident as the sync engine reports it: failed transactions at `at` (one per time, on the refs in turn)
    of records of one type (orders by default) and those records' new state."""
    last = max(at) + timedelta(seconds=1)
    entities = [{"integration_id": integration_id, "type": type, "retriever_ref": ref, "status": "error",
                 "last_updated": last.isoformat(), "error_code": error_code, "error_message": message}
                for ref in refs[:len(at)]]
    transactions = [{"id": first_id + i, "integration_id": integration_id, "entity_type": type,
                     "entity_ref": refs[i % len(refs)], "occurred_at": t.isoformat(), "operation": "update",
                     "outcome": "error", "error_code": error_code, "message": message, "actor": "sync-engine"}
                    for i, t in enumerate(at)]
    return {"entities": entities, "transactions": transactions}


def write_incident(db_path: Path, folder: Path, at: list[datetime], **options) -> None:
    """The incident loaded with `entities import` (the database is not served)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for kind, rows in incident_rows(at, **options).items():
        path = folder / f"{kind}-{rows[0].get('id', 0)}.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
        files.append(str(path))
    assert main(["import", "--db", str(db_path), *files]) == 0


def incident_events(at: list[datetime], **options) -> bytes:
    """The incident as one POST /api/v1/events body (JSON lines with their kind), for a served database."""
    return "".join(json.dumps({"kind": kind, **row}) + "\n"
                   for kind, rows in incident_rows(at, **options).items() for row in rows).encode()
