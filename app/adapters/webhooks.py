"""Webhook delivery: a signed JSON POST to a subscriber's URL (docs/WEBHOOKS.md), behind a small interface.

``HttpWebhookSender`` (the one provider) posts with bounded timeouts (``WEBHOOK_TIMEOUT_SECONDS``) and no
redirects. It returns the receiver's status code; a connection that fails or times out raises
:class:`WebhookUnreachable`. Whether a status counts as delivered (2xx) is the caller's decision.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, Mapping, Protocol

import requests

EVENT_ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER = "X-Kytb-Event-Id", "X-Kytb-Timestamp", "X-Kytb-Signature"


class WebhookUnreachable(Exception):
    """The receiver could not be reached, or did not answer within the timeout."""


def body_of(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes that are signed and sent (compact, UTF-8, keys sorted)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "timestamp.body">`` keyed with the subscriber's secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (also in docs/WEBHOOKS.md): compares in constant time."""
    return hmac.compare_digest(signature(secret, timestamp, body), header or "")


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    secret: str
    delivery_id: str  # X-Kytb-Event-Id: the same for every attempt
    payload: Mapping[str, Any]


class WebhookSender(Protocol):
    name: str

    def send(self, request: WebhookRequest) -> int: ...


class HttpWebhookSender:
    name = "http"

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    def send(self, request: WebhookRequest) -> int:
        body = body_of(request.payload)
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "kytb-webhooks/1",
                   EVENT_ID_HEADER: request.delivery_id, TIMESTAMP_HEADER: timestamp,
                   SIGNATURE_HEADER: signature(request.secret, timestamp, body)}
        try:
            answer = requests.post(request.url, data=body, headers=headers, timeout=(min(self.timeout, 5.0),
                                                                                      self.timeout),
                                   allow_redirects=False)
        except requests.RequestException as error:
            raise WebhookUnreachable(f"{type(error).__name__}: {error}"[:500]) from error
        answer.close()
        return answer.status_code


def get_sender(config: Mapping[str, Any]) -> WebhookSender:
    return HttpWebhookSender(timeout=float(config["WEBHOOK_TIMEOUT_SECONDS"]))
