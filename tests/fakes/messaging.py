"""The messaging of the outside world (``app.adapters.messaging`` talks to it): a real SMTP server on
loopback (aiosmtpd) and a fake SMS gateway (threaded http.server on 127.0.0.1:0)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes import free_port


# --- SMTP on loopback ------------------------------------------------------------------------


class MailSink:
    """Collects what the SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": message})
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Any]:
        with self.lock:
            return [m["message"] for m in self.messages if address in m["to"]]

    def wait_for(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.05)


class SmtpServer:
    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.sink = MailSink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def config(self) -> dict[str, Any]:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_USE_TLS": False, "MAIL_USE_SSL": False,
                "MAIL_USERNAME": "", "MAIL_SENDER": "kytb-noreply@gy-demo.example.cn", "MAIL_TIMEOUT_SECONDS": 5}


# --- a fake SMS gateway ----------------------------------------------------------------------


class SmsGateway:
    """Answers each POST with the next status of ``script`` (the last one repeats) and records it,
    checking the signature of every request.

    It keeps the gateway contract of docs/MESSAGING.md as a real gateway does: a message is delivered
    (``deliveries``) when it is accepted, before the answer goes out, so a client that timed out may
    not know it was sent; a ``request_id`` delivered already is answered as accepted again (with the
    first message id) and never delivered twice. ``down``: every request is refused with 503."""

    KEY, SECRET = "test-key", "test-secret"

    def __init__(self, script: list[int] | None = None, delay: float = 0.0) -> None:
        self.script = list(script or [200])
        self.delay = delay
        self.down = False
        self.requests: list[dict[str, Any]] = []
        #: the messages handed on to phones: one per request id
        self.deliveries: list[dict[str, Any]] = []
        self._delivered: dict[str, str] = {}  # request id -> the gateway's message id
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                expected = hmac.new(gateway.SECRET.encode(), self.headers["X-Timestamp"].encode() + b"\n"
                                    + self.headers["X-Nonce"].encode() + b"\n" + body, hashlib.sha256).hexdigest()
                record = {"json": json.loads(body), "key": self.headers.get("X-Api-Key"),
                          "signed": hmac.compare_digest(expected, self.headers.get("X-Signature", ""))}
                with gateway.lock:
                    gateway.requests.append(record)
                    status = 503 if gateway.down else gateway.script[
                        min(len(gateway.requests) - 1, len(gateway.script) - 1)]
                    message_id = gateway._accept(record["json"], len(gateway.requests)) if status == 200 else ""
                if gateway.delay:
                    time.sleep(gateway.delay)
                answer = ({"ok": True, "message_id": message_id} if status == 200
                          else {"ok": False, "error": "gateway busy"})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"

    def start(self) -> "SmsGateway":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _accept(self, sms: dict[str, Any], number: int) -> str:
        """Delivers the message unless its request id was delivered already (the contract's de-duplication)."""
        request_id = sms["request_id"]
        if request_id not in self._delivered:
            self._delivered[request_id] = f"gw-{number}"
            self.deliveries.append(sms)
        return self._delivered[request_id]

    def message_id_of(self, request_id: str) -> str:
        """The gateway's id of the message delivered under ``request_id``."""
        return self._delivered[request_id]

    def config(self, timeout: float = 5) -> dict[str, Any]:
        return {"SMS_PROVIDER": "http", "SMS_GATEWAY_URL": self.url, "SMS_GATEWAY_KEY": self.KEY,
                "SMS_GATEWAY_SECRET": self.SECRET, "SMS_TIMEOUT_SECONDS": timeout}
