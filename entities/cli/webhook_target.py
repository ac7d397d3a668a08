"""A real local HTTP retry target for the bench and the tests: it answers like a storer's webhook and measures
what it sees (calls at once per integration and per record, arrival times, Idempotency-Keys, raw bodies).

POST /retry/<integration_id> (ENTITIES_WEBHOOK_URL=http://127.0.0.1:PORT/retry/{integration_id}); GET /stats counts
calls and requests received. How it answers
is chosen per integration through `behave(integration_id, Behaviour(...))`:
- ok: {"outcome": "success", "storer_ref": "T-<entity id>"} after `delay` seconds;
- status/body: any answer (a 503, a JSON with "\\ud800" in it, invalid UTF-8 bytes);
- hang: never answers until close();
- trickle: sends its headers, then one byte every `delay` seconds, forever;
- close: sends a partial body with a longer Content-Length, then closes the connection.

It accepts both forms on the same URL: one request per call (Idempotency-Key), and the batched form
{"requests": [...]} (Idempotency-Keys) that ENTITIES_WEBHOOK_BATCH turns on. A batch is one call (the delay and the
per-integration meter apply per call), each element is one Received (its raw bytes, its key from the header);
`ok` answers {"results": [...]}, one success per element unless `Behaviour.results` names another answer for an
entity (None: left out of the answer).
"""
from __future__ import annotations

import json
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Behaviour:
    kind: str = "ok"  # ok | answer | hang | trickle | close
    delay: float = 0.0
    status: int = 200
    body: bytes = b""
    results: dict = field(default_factory=dict)  # batched `ok`: entity id -> its result instead (None = left out)


@dataclass
class Received:
    integration_id: int
    entity_id: int | None
    key: str | None
    attempt: str | None
    body: bytes  # the whole body, or for a batch this element's bytes exactly as they came
    arrived: float
    call: int = 0  # which call brought it (calls are numbered from 1 in arrival order)
    batch: int = 0  # requests in that call when it was batched; 0 for the single form
    element_integration: int | None = None  # the element's own integration_id


@dataclass
class Meter:
    now: int = 0
    most: int = 0

    def enter(self) -> None:
        self.now += 1
        self.most = max(self.most, self.now)

    def leave(self) -> None:
        self.now -= 1


@dataclass
class Seen:
    received: list[Received] = field(default_factory=list)
    total: Meter = field(default_factory=Meter)
    by_integration: dict[int, Meter] = field(default_factory=lambda: defaultdict(Meter))
    by_entity: dict[int, Meter] = field(default_factory=lambda: defaultdict(Meter))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: WebhookTarget

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            integration_id = int(self.path.rstrip("/").rsplit("/", 1)[-1])
        except ValueError:
            integration_id = 0
        target = self.server
        elements = _elements(body)
        with target.lock:
            target.calls += 1
            arrived = time.monotonic()
            if elements is None:
                try:
                    entity_id = json.loads(body).get("entity_id")
                except ValueError:
                    entity_id = None
                seen = [Received(integration_id, entity_id, self.headers.get("Idempotency-Key"),
                                 self.headers.get("X-Entities-Attempt"), body, arrived, target.calls)]
            else:
                keys = (self.headers.get("Idempotency-Keys") or "").split(",")
                seen = [Received(integration_id, element.get("entity_id"), keys[i] if i < len(keys) else None,
                                 str(element.get("attempt")), raw, arrived, target.calls, len(elements),
                                 element.get("integration_id")) for i, (element, raw) in enumerate(elements)]
            target.seen.received.extend(seen)
            meters = [target.seen.total, target.seen.by_integration[integration_id],
                      *(target.seen.by_entity[r.entity_id] for r in seen)]
            for meter in meters:
                meter.enter()
        left = []

        def leave() -> None:
            # Called once, before the answer goes out: the worker may send its next call as soon as it has read the
            # answer, and that call must not be counted beside this one.
            with target.lock:
                if not left:
                    left.append(True)
                    for meter in meters:
                        meter.leave()

        self._leave = leave
        try:
            how = target.behaviours.get(integration_id, target.default)
            if elements is None:
                self._answer(how, seen[0].entity_id)
            else:
                self._answer(how, None, [element for element, _ in elements])
        except OSError:
            pass  # the worker gave up on us (deadline) or was killed: that is the behaviour under test
        finally:
            leave()

    def do_GET(self):  # noqa: N802 - http.server's naming
        """GET /stats: calls and requests received so far (the bench reads them from the target's process)."""
        with self.server.lock:
            body = json.dumps({"calls": self.server.calls, "requests": len(self.server.seen.received)}).encode()
        self._head(200 if self.path == "/stats" else 404, len(body))
        self.wfile.write(body)

    def _answer(self, how: Behaviour, entity_id, batch: list[dict] | None = None) -> None:
        if how.kind == "hang":
            self.server.closing.wait()
            return
        if how.kind == "trickle":
            self._head(200, 1 << 20)
            while not self.server.closing.wait(how.delay):
                self.wfile.write(b" ")
                self.wfile.flush()
            return
        if how.delay:
            self.server.closing.wait(how.delay)
        if how.kind == "close":
            self._leave()
            self._head(200, len(how.body) + 100)
            self.wfile.write(how.body)
            self.wfile.flush()
            self.close_connection = True
            return
        if how.kind == "answer":
            body = how.body
        elif batch is not None:
            body = json.dumps({"results": [result for element in batch
                                           if (result := _result(how, element)) is not None]}).encode()
        else:
            body = json.dumps({"outcome": "success", "storer_ref": f"T-{entity_id}"}).encode()
        self._leave()
        self._head(how.status, len(body))
        self.wfile.write(body)

    def _head(self, status: int, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.flush()

    def log_message(self, *args):
        pass


def _elements(body: bytes) -> list[tuple[dict, bytes]] | None:
    """A batched body's elements with their raw bytes, or None for the single form (or a body that is neither)."""
    try:
        text = body.decode()
        document = json.loads(text)
    except ValueError:
        return None
    if not isinstance(document, dict) or not isinstance(document.get("requests"), list):
        return None
    decoder, found = json.JSONDecoder(), []
    at = text.index("[", text.index('"requests"')) + 1
    while True:
        while text[at] in " \t\r\n,":
            at += 1
        if text[at] == "]":
            return found
        element, end = decoder.raw_decode(text, at)
        found.append((element if isinstance(element, dict) else {}, text[at:end].encode()))
        at = end


def _result(how: Behaviour, element: dict) -> dict | None:
    entity_id = element.get("entity_id")
    chosen = how.results.get(entity_id, {"outcome": "success", "storer_ref": f"T-{entity_id}"})
    return None if chosen is None else {"request_id": element.get("request_id"), **chosen}


class WebhookTarget(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, default: Behaviour | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.default = default or Behaviour()
        self.behaviours: dict[int, Behaviour] = {}
        self.seen = Seen()
        self.calls = 0
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/retry/{{integration_id}}"

    def behave(self, integration_id: int, how: Behaviour) -> None:
        self.behaviours[integration_id] = how

    def keys(self) -> Counter:
        with self.lock:
            return Counter(r.key for r in self.seen.received)

    def received(self, integration_id: int | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.seen.received if integration_id in (None, r.integration_id)]

    def __enter__(self) -> WebhookTarget:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.closing.set()
        self.shutdown()
        self.server_close()


def main(argv: list[str] | None = None) -> int:
    """Serve a target in its own process (the bench does, so the target does not share the worker's GIL); prints
    its URL, then serves until killed."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m entities.cli.webhook_target")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--hang", type=int, action="append", default=[], metavar="INTEGRATION",
                        help="never answer this integration's calls (repeatable)")
    args = parser.parse_args(argv)
    server = WebhookTarget(Behaviour(delay=args.delay))
    for integration_id in args.hang:
        server.behave(integration_id, Behaviour(kind="hang"))
    print(server.url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
