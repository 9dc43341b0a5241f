"""A webhook receiver on 127.0.0.1, in a thread of the test process: it checks every signature (written out
again here, from docs/WEBHOOKS.md, not imported) and records every request.

``answer(*codes)``: the next requests are answered with these status codes (then 200 again);
``slow(seconds, n)``: the next n requests are recorded, then answered only after ``seconds``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@dataclass
class Received:
    delivery_id: str
    timestamp: str
    signature_ok: bool
    payload: dict[str, Any]
    status: int


class WebhookReceiver:
    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self._codes: list[int] = []
        self._slow: tuple[int, float] = (0, 0.0)
        self.arrived = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-webhook", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def start(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, *codes: int) -> None:
        with self.lock:
            self._codes = list(codes)

    def slow(self, seconds: float, n: int = 1) -> None:
        with self.lock:
            self._slow = (n, seconds)

    def ids(self) -> list[str]:
        with self.lock:
            return [r.delivery_id for r in self.received]

    def accepted(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if 200 <= r.status < 300]

    def _handler_class(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                timestamp = self.headers.get("X-Kytb-Timestamp", "")
                ok = hmac.compare_digest(expected_signature(receiver.secret, timestamp, body),
                                         self.headers.get("X-Kytb-Signature", ""))
                with receiver.lock:
                    status = receiver._codes.pop(0) if receiver._codes else 200
                    wait = 0.0
                    if receiver._slow[0] > 0:
                        wait = receiver._slow[1]
                        receiver._slow = (receiver._slow[0] - 1, receiver._slow[1])
                    if not ok:
                        status = 401
                    receiver.received.append(Received(self.headers.get("X-Kytb-Event-Id", ""), timestamp, ok,
                                                      json.loads(body or b"{}"), status))
                receiver.arrived.set()
                if wait:
                    time.sleep(wait)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        return Handler
