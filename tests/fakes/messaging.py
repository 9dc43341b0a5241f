"""Helpers of the reminder, notification and report tests: a real SMTP server on loopback
(aiosmtpd), a fake SMS gateway (threaded http.server on 127.0.0.1:0), cases at a given point of the
process on given dates, and the app configuration switched for one test."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from contextlib import contextmanager
from datetime import date
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

from sqlalchemy import select

from app.demo import builders
from app.models.notify import Reminder
from app.services.cases.take_step import take_step


# --- configuration ---------------------------------------------------------------------------


@contextmanager
def configured(app, **values: Any) -> Iterator[None]:
    """Sets app.config values for the duration (the session-wide app is shared by all tests)."""
    missing = object()
    saved = {key: app.config.get(key, missing) for key in values}
    app.config.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is missing:
                app.config.pop(key, None)
            else:
                app.config[key] = value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    checking the signature of every request."""

    KEY, SECRET = "test-key", "test-secret"

    def __init__(self, script: list[int] | None = None, delay: float = 0.0) -> None:
        self.script = list(script or [200])
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                expected = hmac.new(gateway.SECRET.encode(), self.headers["X-Timestamp"].encode() + b"\n"
                                    + self.headers["X-Nonce"].encode() + b"\n" + body, hashlib.sha256).hexdigest()
                record = {"json": json.loads(body), "key": self.headers.get("X-Api-Key"),
                          "signed": hmac.compare_digest(expected, self.headers.get("X-Signature", ""))}
                gateway.requests.append(record)
                if gateway.delay:
                    time.sleep(gateway.delay)
                status = gateway.script[min(len(gateway.requests) - 1, len(gateway.script) - 1)]
                answer = ({"ok": True, "message_id": f"gw-{len(gateway.requests)}"} if status == 200
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

    def config(self, timeout: float = 5) -> dict[str, Any]:
        return {"SMS_PROVIDER": "http", "SMS_GATEWAY_URL": self.url, "SMS_GATEWAY_KEY": self.KEY,
                "SMS_GATEWAY_SECRET": self.SECRET, "SMS_TIMEOUT_SECONDS": timeout}


# --- cases -----------------------------------------------------------------------------------


def step(db, username: str, case, name: str, on: date, **fields):
    return take_step(db, builders.user(db, username), case.id, name, fields, today=on)


def accepted_case(db, on: date, **overrides):
    """A case registered and accepted at 利州区 on ``on`` for 苍溪县人社局 (home window 苍溪县)."""
    case = builders.make_case(db, applied_on=on.isoformat(), today=on, **overrides)
    return step(db, "lz_window", case, "accept", on, **builders.verify_all(case))


def reminders_of_case(db, case) -> set[tuple[str, str, str, str]]:
    """(username, kind, stage, level) of every reminder of ``case``."""
    rows = db.scalars(select(Reminder).where(Reminder.case_id == case.id)).all()
    return {(r.user.username, r.kind, r.stage, r.level) for r in rows}
