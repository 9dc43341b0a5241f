"""A fake EMS-style courier API (docs/COURIER.md) on 127.0.0.1, in a thread of the test process.

It checks every signature, keeps orders unique per idempotency key, and can misbehave on demand:

- ``fail(n)``: the next n requests answer 500 (the order is not created);
- ``slow(seconds, n=1)``: the next n bookings create the order, then answer only after ``seconds``
  (beyond the client's timeout: the client gives up on an order that exists);
- ``drop(n)``: the next n bookings create the order, then close the connection without an answer;
- ``reject(n, status)``: the next n bookings are refused with a 4xx.

``orders`` holds what was booked; ``log`` every request (method, path, status).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.adapters.courier import KEY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

KEY, SECRET = "kytb-test-key", "kytb-test-secret-0123456789"
MAX_SKEW = 300


def _expected_signature(secret: str, method: str, path: str, timestamp: str, body: bytes) -> str:
    """Written out again here (not imported), so the test checks the client against the document."""
    message = f"{method}\n{path}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class FakeEms:
    def __init__(self, key: str = KEY, secret: str = SECRET) -> None:
        self.key, self.secret = key, secret
        self.lock = threading.Lock()
        self.orders: dict[str, dict[str, Any]] = {}  # waybill -> order
        self.by_key: dict[str, str] = {}  # idempotency key -> waybill
        self.events: dict[str, list[dict[str, str]]] = {}
        self.log: list[tuple[str, str, int]] = []
        self.bad_signatures = 0
        self._fail = 0
        self._slow: tuple[int, float] = (0, 0.0)
        self._drop = 0
        self._reject: tuple[int, int] = (0, 400)
        self._numbers = itertools.count(100000001)
        #: set when a booking request arrives (the real-worker test kills the worker then)
        self.booking_arrived = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-ems", daemon=True)

    # --- control -----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeEms:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, n: int) -> None:
        self._fail = n

    def slow(self, seconds: float, n: int = 1) -> None:
        self._slow = (n, seconds)

    def drop(self, n: int = 1) -> None:
        self._drop = n

    def reject(self, n: int = 1, status: int = 400) -> None:
        self._reject = (n, status)

    def add_event(self, waybill: str, at: str, code: str, description: str = "", location: str = "") -> None:
        with self.lock:
            self.events.setdefault(waybill, []).append(
                {"at": at, "code": code, "description": description, "location": location})

    def calls(self, method: str, path_prefix: str) -> list[tuple[str, str, int]]:
        return [c for c in self.log if c[0] == method and c[1].startswith(path_prefix)]

    # --- the API ------------------------------------------------------------------------------------

    def _take(self, name: str) -> Any:
        with self.lock:
            value = getattr(self, name)
            if isinstance(value, tuple):
                if value[0] > 0:
                    setattr(self, name, (value[0] - 1, value[1]))
                    return value[1]
                return None
            if value > 0:
                setattr(self, name, value - 1)
                return True
            return None

    def create_order(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Books ``body`` (a booking request as JSON) as a POST would: (201, the new order), or (200,
        the order of its idempotency key). A test calls it for an order placed by a run that was lost."""
        with self.lock:
            key = body["idempotency_key"]
            if key in self.by_key:
                return 200, self.orders[self.by_key[key]]
            waybill = f"EA{next(self._numbers)}CN"
            order = {"waybill_number": waybill, "idempotency_key": key, "status": "created",
                     "reference": body.get("reference", ""), "sender": body["sender"], "receiver": body["receiver"],
                     "parcel": body["parcel"], "created_at": datetime.now().astimezone().isoformat(timespec="seconds")}
            self.orders[waybill], self.by_key[key] = order, waybill
            self.events[waybill] = []
            return 201, order

    def _handler_class(self):
        ems = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                ems.log.append((self.command, self.path, status))
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up meanwhile
                    pass

            def _error(self, status: int, code: str, message: str) -> None:
                self._answer(status, {"error": {"code": code, "message": message}})

            def _signed(self, method: str, body: bytes) -> bool:
                timestamp = self.headers.get(TIMESTAMP_HEADER, "")
                if self.headers.get(KEY_HEADER) != ems.key or not timestamp.isdigit():
                    return False
                if abs(time.time() - int(timestamp)) > MAX_SKEW:
                    return False
                expected = _expected_signature(ems.secret, method, self.path, timestamp, body)
                return hmac.compare_digest(expected, self.headers.get(SIGNATURE_HEADER, ""))

            def _handle(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not self._signed(method, body):
                    ems.bad_signatures += 1
                    return self._error(401, "bad_signature", "signature, key or timestamp not accepted")
                if ems._take("_fail"):
                    return self._error(500, "internal", "try again later")
                url = urlsplit(self.path)
                parts = [p for p in url.path.split("/") if p]
                if method == "POST" and parts == ["v1", "orders"]:
                    return self._book(body)
                if method == "GET" and parts == ["v1", "orders"]:
                    key = parse_qs(url.query).get("idempotency_key", [""])[0]
                    waybill = ems.by_key.get(key)
                    if waybill is None:
                        return self._error(404, "not_found", "no order with this key")
                    return self._answer(200, ems.orders[waybill])
                if len(parts) >= 3 and parts[:2] == ["v1", "orders"] and parts[2] in ems.orders:
                    waybill = parts[2]
                    if method == "GET" and len(parts) == 3:
                        return self._answer(200, ems.orders[waybill])
                    if method == "GET" and parts[3:] == ["events"]:
                        with ems.lock:
                            events = list(ems.events[waybill])
                        return self._answer(200, {"waybill_number": waybill, "events": events})
                    if method == "POST" and parts[3:] == ["cancel"]:
                        with ems.lock:
                            order = ems.orders[waybill]
                            if any(e["code"] != "created" for e in ems.events[waybill]):
                                return self._error(409, "picked_up", "the parcel is already on its way")
                            order["status"] = "cancelled"
                        return self._answer(200, order)
                return self._error(404, "not_found", "no such order")

            def _book(self, body: bytes) -> None:
                ems.booking_arrived.set()
                try:
                    order = json.loads(body)
                    assert isinstance(order["idempotency_key"], str) and order["idempotency_key"]
                    assert order["sender"]["address"] and order["receiver"]["address"]
                    assert isinstance(order["parcel"], dict)
                except (ValueError, KeyError, TypeError, AssertionError):
                    return self._error(400, "invalid", "idempotency_key, sender, receiver and parcel are required")
                status = ems._take("_reject")
                if status:
                    return self._error(status, "invalid_address", "the receiver's address cannot be served")
                status, answer = ems.create_order(order)
                delay = ems._take("_slow")
                if delay:
                    time.sleep(delay)
                if ems._take("_drop"):
                    ems.log.append(("POST", self.path, 0))  # created, then the connection is dropped
                    self.close_connection = True
                    return None
                return self._answer(status, answer)

        return Handler
