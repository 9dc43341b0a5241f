"""The outside services messages go through, behind small interfaces (DESIGN §5):

- SMS: ``log`` (the default: the message is kept in the database and shown to administrators, nothing
  leaves the machine) or ``http`` (a gateway that takes a signed JSON POST);
- mail: SMTP (``smtplib``), off unless ``MAIL_SERVER`` is set.

A provider either returns (the message was accepted; maybe with the provider's id) or raises
:class:`DeliveryError` with a reason a person can read; timeouts are bounded by configuration.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Mapping, Protocol

import requests

from app.adapters import storage


class DeliveryError(Exception):
    """The provider did not take the message (the reason is recorded on the Notification).
    ``unreachable``: the service could not be reached at all (other messages would fail alike)."""

    def __init__(self, message: str, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


@dataclass(frozen=True)
class Sms:
    phone: str
    text: str
    #: stable per message: a gateway that sees the same id twice sends once
    request_id: str


class SmsProvider(Protocol):
    name: str

    def send(self, sms: Sms) -> str: ...


class LogSmsProvider:
    """Delivers by keeping the message (the Notification row is the record)."""

    name = "log"

    def send(self, sms: Sms) -> str:
        return ""


class HttpSmsProvider:
    """POSTs ``{"phone", "text", "request_id", "timestamp", "nonce"}`` as JSON to the gateway with

    - ``X-Api-Key``: the key;
    - ``X-Timestamp`` / ``X-Nonce``: seconds since the epoch and a random value (replay protection);
    - ``X-Signature``: hex HMAC-SHA256 with the secret over ``timestamp + "\\n" + nonce + "\\n" + body``.

    A 2xx answer whose JSON does not say ``"ok": false`` is a delivery; its ``message_id`` is kept.
    Every retry of one message is posted under the same ``request_id``: the gateway must drop
    duplicates (the gateway contract, docs/MESSAGING.md), or a timed-out message may be sent twice.
    """

    name = "http"

    def __init__(self, url: str, key: str, secret: str, timeout: float) -> None:
        self.url, self.key, self.secret, self.timeout = url, key, secret, timeout

    def sign(self, timestamp: str, nonce: str, body: bytes) -> str:
        message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()

    def send(self, sms: Sms) -> str:
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
        body = json.dumps({"phone": sms.phone, "text": sms.text, "request_id": sms.request_id,
                           "timestamp": timestamp, "nonce": nonce}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Api-Key": self.key,
                   "X-Timestamp": timestamp, "X-Nonce": nonce, "X-Signature": self.sign(timestamp, nonce, body)}
        try:
            response = requests.post(self.url, data=body, headers=headers,
                                     timeout=(min(self.timeout, 5.0), self.timeout))
        except requests.RequestException as error:
            raise DeliveryError(f"SMS gateway unreachable: {type(error).__name__}: {error}",
                                unreachable=True) from error
        try:
            answer: Any = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, Mapping):
            answer = {}
        if response.status_code // 100 != 2 or answer.get("ok") is False:
            reason = answer.get("error") or answer.get("message") or response.text[:200]
            raise DeliveryError(f"SMS gateway answered {response.status_code}: {reason}")
        return str(answer.get("message_id") or "")[:64]


def sms_provider(config: Mapping[str, Any]) -> SmsProvider:
    if config["SMS_PROVIDER"] == "http":
        return HttpSmsProvider(config["SMS_GATEWAY_URL"], config["SMS_GATEWAY_KEY"], config["SMS_GATEWAY_SECRET"],
                               float(config["SMS_TIMEOUT_SECONDS"]))
    return LogSmsProvider()


# --- mail --------------------------------------------------------------------------------------


def mail_enabled(config: Mapping[str, Any]) -> bool:
    return bool(config["MAIL_SERVER"])


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    #: [{"key": storage key, "name": file name, "content_type": "type/subtype"}]
    attachments: tuple[Mapping[str, str], ...] = ()
    message_id: str | None = None


def build_message(config: Mapping[str, Any], mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = mail.message_id or make_msgid(domain="kytb")
    message.set_content(mail.body)
    for item in mail.attachments:
        maintype, _, subtype = item.get("content_type", "application/octet-stream").partition("/")
        data = storage.path_of(item["key"]).read_bytes()
        message.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=item["name"])
    return message


def send_mail(config: Mapping[str, Any], mail: Mail) -> str:
    """Hands one mail to the SMTP server; returns its Message-ID."""
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    timeout = float(config["MAIL_TIMEOUT_SECONDS"])
    try:
        message = build_message(config, mail)
    except (OSError, ValueError) as error:  # an attachment is gone
        raise DeliveryError(f"mail could not be built: {error}") from error
    try:
        if config["MAIL_USE_SSL"]:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            refused = smtp.send_message(message)
    except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected) as error:
        raise DeliveryError(f"SMTP {host}:{port} unreachable: {type(error).__name__}: {error}",
                            unreachable=True) from error
    except smtplib.SMTPException as error:  # (a subclass of OSError) the server answered with a refusal
        raise DeliveryError(f"SMTP {host}:{port}: {type(error).__name__}: {error}") from error
    except OSError as error:  # refused connection, timeout, TLS failure
        raise DeliveryError(f"SMTP {host}:{port} unreachable: {type(error).__name__}: {error}",
                            unreachable=True) from error
    if refused:
        raise DeliveryError(f"SMTP refused {', '.join(refused)}")
    return str(message["Message-ID"])
