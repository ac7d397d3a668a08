"""Retry handlers: the deterministic simulation, and a webhook against a real local HTTP server."""
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from entities.sync import handlers

TIMEOUT = 0.5


def job(**changes):
    base = dict(request_id=7, entity_id=4, integration_id=1, type="order", retriever_ref="#1004",
                storer_ref="F-5004", storer="Fortnox", actor="ops@example.com", error_code="RATE_LIMITED",
                error_message="Rate limit exceeded", transient=True,
                last_request_payload='{"order": {"number": "#1004"}}')
    return handlers.Job(**(base | changes))


@pytest.mark.parametrize("changes, outcome, code, storer_ref", [
    ({}, "success", None, "F-5004"),
    ({"error_code": "ARTICLE_NOT_FOUND", "transient": False, "storer_ref": None}, "error", "ARTICLE_NOT_FOUND", None),
    ({"error_code": None, "transient": None, "storer_ref": None}, "success", None, "F-4"),
    ({"error_code": "SOMETHING_NEW", "transient": None}, "error", "SOMETHING_NEW", None),
])
def test_simulated_is_deterministic(changes, outcome, code, storer_ref):
    """A simulated retry succeeds for transient or no errors and fails again for data errors."""
    result = handlers.simulated(job(**changes))
    assert (result.outcome, result.error_code, result.storer_ref) == (outcome, code, storer_ref)
    assert json.loads(result.request_payload)["payload"] == {"order": {"number": "#1004"}}


def test_simulated_sends_truncated_payload_as_text():
    """A last payload that is not valid JSON is forwarded as text, not dropped."""
    sent = json.loads(handlers.simulated(job(last_request_payload='{"order": ')).request_payload)
    assert sent["payload"] == '{"order": '


class Target(BaseHTTPRequestHandler):
    """A storer stand-in whose answer is chosen by the test through the server's `reply` attribute."""

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.server.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        status, body, delay = self.server.reply
        if delay:
            time.sleep(delay)  # the slow target is the behaviour under test
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())
        except OSError:
            pass  # the client gave up (timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture
def target():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Target)
    server.received, server.reply = [], (200, "{}", 0)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def post(server):
    return handlers.webhook(job(), f"http://127.0.0.1:{server.server_port}/retry", TIMEOUT)


@pytest.mark.parametrize("reply, outcome, code, in_message", [
    ((200, '{"outcome": "success", "storer_ref": "F-9"}', 0), "success", None, "Retried"),
    ((200, '{"outcome": "error", "error_code": "VAT_CODE_MISMATCH", "message": "VAT 12 not allowed"}', 0),
     "error", "VAT_CODE_MISMATCH", "VAT 12 not allowed"),
    ((202, '{"queued": true}', 0), "pending", None, "202"),
    ((500, "<html>Internal Server Error</html>", 0), "error", "UPSTREAM_5XX", "HTTP 500"),
    ((200, "<html>ok</html>", 0), "error", "WEBHOOK_BAD_RESPONSE", "without a JSON outcome"),
    ((200, '{"outcome": "success"}', TIMEOUT * 4), "error", "TIMEOUT", "did not answer within 0.5 s"),
])
def test_webhook_outcomes(target, reply, outcome, code, in_message):
    """The webhook's answer (or silence) becomes the retry's outcome, with the reason in the message."""
    target.reply = reply
    result = post(target)
    assert (result.outcome, result.error_code) == (outcome, code)
    assert in_message in result.message
    assert target.received[0]["entity_id"] == 4 and target.received[0]["payload"] == {"order": {"number": "#1004"}}


def test_webhook_success_sets_storer_ref(target):
    """A successful webhook answer with a storer reference is applied."""
    target.reply = (200, '{"outcome": "success", "storer_ref": "F-9"}', 0)
    assert post(target).storer_ref == "F-9"


def test_webhook_refused_is_an_error():
    """A webhook URL where nothing listens gives an error outcome naming the refusal, quickly."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    result = handlers.webhook(job(), f"http://127.0.0.1:{port}/retry", TIMEOUT)
    assert (result.outcome, result.error_code) == ("error", "WEBHOOK_UNREACHABLE")
    assert "refused" in result.message.lower()
    assert time.monotonic() - started < TIMEOUT * 4


@pytest.mark.parametrize("env, problem", [
    ({"ENTITIES_RETRY_HANDLER": "webhook"}, "needs ENTITIES_WEBHOOK_URL"),
    ({"ENTITIES_RETRY_HANDLER": "carrier-pigeon"}, "not one of"),
    ({"ENTITIES_RETRY_HANDLER": "webhook", "ENTITIES_WEBHOOK_URL": "http://x", "ENTITIES_WEBHOOK_TIMEOUT": "ten"},
     "not a number"),
])
def test_bad_configuration_is_named(monkeypatch, env, problem):
    """A mistyped handler setting names the variable at fault."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValueError, match=problem):
        handlers.configured()
