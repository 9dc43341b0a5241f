"""Courier providers: book a pickup and get a waybill, track a parcel, cancel an order.

Two providers (``COURIER_PROVIDER``):

- ``manual`` (the default): nothing outside the machine. Booking books nothing — the clerk types the
  waybill number printed by the courier's terminal in the step form — and tracking reports nothing.
- ``http``: a client of an EMS-style JSON API (``COURIER_BASE_URL``, ``COURIER_KEY``,
  ``COURIER_SECRET``, ``COURIER_TIMEOUT_SECONDS``); every request is signed with HMAC-SHA256. The API
  is described in docs/COURIER.md.

Errors: :class:`CourierUnavailable` (timeouts, dropped connections, 5xx, 429) is worth retrying — the
outbox task retries with backoff, and the booking is idempotent by its key; :class:`CourierRejected`
(any other 4xx) is not: the order itself is wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Protocol
from urllib.parse import quote, urlencode

import requests

log = logging.getLogger(__name__)

#: China Standard Time: the courier's times are stored as this wall clock, like every time of ours
CST = timezone(timedelta(hours=8))

#: headers of a signed request (docs/COURIER.md)
KEY_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER = "X-Courier-Key", "X-Courier-Timestamp", "X-Courier-Signature"


class CourierError(Exception):
    """Something went wrong talking to the courier."""


class CourierUnavailable(CourierError):
    """The courier did not answer in time, dropped the connection or failed (5xx, 429): retry later."""


class CourierRejected(CourierError):
    """The courier refused the request (4xx other than 408/429): retrying the same request will not help."""

    def __init__(self, message: str, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status, self.code = status, code


class CourierAnsweredForAnotherParcel(CourierRejected):
    """The courier answered our key with an order for another parcel (another reference or address):
    its waybill is not ours to attach, and asking again under the same key gets the same answer."""


class CourierNotConfigured(CourierError):
    """A shipment belongs to a provider this installation is not configured for."""


# --- what goes in and out ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    name: str
    phone: str
    address: str
    postcode: str = ""
    #: the person at the address (the applicant, a window's clerk), if not the organisation itself
    contact: str = ""

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "contact": self.contact, "phone": self.phone, "address": self.address,
                "postcode": self.postcode}


@dataclass(frozen=True)
class BookingRequest:
    """One parcel to pick up. ``idempotency_key`` makes the order unique at the courier."""

    idempotency_key: str
    reference: str  # our case number, printed on the label
    sender: Party
    receiver: Party
    description: str
    pieces: int = 1

    def as_json(self) -> dict[str, Any]:
        return {"idempotency_key": self.idempotency_key, "reference": self.reference,
                "sender": self.sender.as_json(), "receiver": self.receiver.as_json(),
                "parcel": {"description": self.description, "pieces": self.pieces}}


@dataclass(frozen=True)
class Booking:
    waybill_number: str
    idempotency_key: str = ""
    status: str = "created"
    #: True when this call created the order, False when the courier already had it (a retry)
    created: bool = True
    #: what the courier holds for the order (empty when its answer does not say)
    reference: str = ""
    receiver_address: str = ""


@dataclass(frozen=True)
class TrackingEvent:
    at: datetime  # naive, China Standard Time
    code: str
    description: str = ""
    location: str = ""


class CourierProvider(Protocol):
    name: str
    #: whether booking reaches a courier (manual: the clerk books at the courier's terminal)
    books: bool
    #: whether tracking asks a courier
    tracks: bool

    def book(self, request: BookingRequest, *, lookup_first: bool = False) -> Booking | None: ...

    def track(self, waybill_number: str) -> list[TrackingEvent]: ...

    def cancel(self, waybill_number: str) -> None: ...


# --- manual ------------------------------------------------------------------------------------------


class ManualCourier:
    """The clerk books at the courier's terminal and types the waybill; nothing to call."""

    name = "manual"
    books = False
    tracks = False

    def book(self, request: BookingRequest, *, lookup_first: bool = False) -> Booking | None:
        return None

    def track(self, waybill_number: str) -> list[TrackingEvent]:
        return []

    def cancel(self, waybill_number: str) -> None:
        return None


# --- http --------------------------------------------------------------------------------------------


def body_bytes(payload: Mapping[str, Any] | None) -> bytes:
    """The JSON body as sent (and signed): UTF-8, compact, keys sorted."""
    if payload is None:
        return b""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def signature(secret: str, method: str, path: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 (hex) over ``METHOD \\n path?query \\n timestamp \\n sha256-hex(body)`` with the secret."""
    message = "\n".join([method.upper(), path, timestamp, hashlib.sha256(body).hexdigest()])
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def parse_time(value: str) -> datetime:
    """An ISO 8601 time of the courier as our naive China Standard Time (a naive one is taken as CST)."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(CST).replace(tzinfo=None)
    return moment.replace(microsecond=0)


class HttpCourier:
    """Client of the EMS-style API of docs/COURIER.md (signed JSON over HTTP, connect/read timeouts)."""

    name = "http"
    books = True
    tracks = True

    def __init__(self, base_url: str, key: str, secret: str, timeout: float,
                 http: requests.Session | None = None) -> None:
        if not (base_url and key and secret):
            raise CourierNotConfigured("the http courier needs COURIER_BASE_URL, COURIER_KEY and COURIER_SECRET")
        self.base_url, self.key, self.secret = base_url.rstrip("/"), key, secret
        self.timeout = (min(5.0, timeout), timeout)  # (connect, read)
        self.http = http or requests.Session()

    # --- the three operations ------------------------------------------------------------------

    def book(self, request: BookingRequest, *, lookup_first: bool = False) -> Booking:
        """Books the pickup once: on a retry the order of the key is looked up first, and a post
        with a key the courier knows answers that same order (never a second parcel)."""
        if lookup_first:
            existing = self.find(request.idempotency_key)
            if existing is not None:
                log.info("courier: order %s already booked as %s", request.idempotency_key, existing.waybill_number)
                return self._checked(request, existing)
        status, data = self._call("POST", "/v1/orders", request.as_json())
        booking = self._booking(data, created=status == 201)
        if booking.idempotency_key and booking.idempotency_key != request.idempotency_key:
            raise CourierUnavailable(f"the courier answered for another order ({booking.idempotency_key})")
        return self._checked(request, booking)

    @staticmethod
    def _checked(request: BookingRequest, booking: Booking) -> Booking:
        """The courier's order, if it is this parcel's: the reference and the receiver's address it
        holds (where its answer gives them) must be the request's."""
        wrong = [f"{name} {held!r} (ours: {ours!r})" for name, held, ours in (
            ("reference", booking.reference, request.reference),
            ("receiver address", booking.receiver_address, request.receiver.address.strip())) if held and held != ours]
        if wrong:
            raise CourierAnsweredForAnotherParcel(
                f"the courier answered key {request.idempotency_key} with order {booking.waybill_number} "
                f"for another parcel: {'; '.join(wrong)}", code="another_parcel")
        return booking

    def find(self, idempotency_key: str) -> Booking | None:
        """The order booked with this key, or None when the courier has none."""
        status, data = self._call("GET", "/v1/orders?" + urlencode({"idempotency_key": idempotency_key}),
                                  missing_ok=True)
        return None if status == 404 else self._booking(data, created=False)

    def track(self, waybill_number: str) -> list[TrackingEvent]:
        _, data = self._call("GET", f"/v1/orders/{quote(waybill_number, safe='')}/events")
        try:
            return [TrackingEvent(at=parse_time(e["at"]), code=str(e["code"])[:32],
                                  description=str(e.get("description") or "")[:255],
                                  location=str(e.get("location") or "")[:128]) for e in data.get("events", [])]
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise CourierUnavailable(f"unreadable tracking answer: {error}") from error

    def cancel(self, waybill_number: str) -> None:
        self._call("POST", f"/v1/orders/{quote(waybill_number, safe='')}/cancel", {})

    # --- the wire ---------------------------------------------------------------------------------

    def headers(self, method: str, path: str, body: bytes, timestamp: str | None = None) -> dict[str, str]:
        timestamp = timestamp or str(int(time.time()))
        return {
            KEY_HEADER: self.key,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(self.secret, method, path, timestamp, body),
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
        }

    def _call(self, method: str, path: str, payload: Mapping[str, Any] | None = None, *,
              missing_ok: bool = False) -> tuple[int, dict[str, Any]]:
        body = body_bytes(payload)
        url = self.base_url + path
        try:
            response = self.http.request(method, url, data=body or None, headers=self.headers(method, path, body),
                                         timeout=self.timeout)
        except requests.Timeout as error:
            raise CourierUnavailable(f"{method} {path}: no answer within {self.timeout[1]:g} s") from error
        except requests.RequestException as error:  # refused, reset, dropped before the answer
            raise CourierUnavailable(f"{method} {path}: {type(error).__name__}: {error}") from error
        if response.status_code == 404 and missing_ok:
            return 404, {}
        if response.status_code in (408, 425, 429) or response.status_code >= 500:
            raise CourierUnavailable(f"{method} {path}: HTTP {response.status_code}")
        try:
            data = response.json() if response.content else {}
        except ValueError as error:
            raise CourierUnavailable(f"{method} {path}: HTTP {response.status_code} without JSON") from error
        if response.status_code >= 400:
            problem = data.get("error") if isinstance(data, dict) else None
            problem = problem if isinstance(problem, dict) else {}
            raise CourierRejected(f"{method} {path}: HTTP {response.status_code} {problem.get('message', '')}".strip(),
                                  status=response.status_code, code=str(problem.get("code", "")))
        if not isinstance(data, dict):
            raise CourierUnavailable(f"{method} {path}: unexpected answer")
        return response.status_code, data

    @staticmethod
    def _booking(data: Mapping[str, Any], created: bool) -> Booking:
        waybill = str(data.get("waybill_number") or "").strip()
        if not waybill:
            raise CourierUnavailable("the courier answered without a waybill number")
        receiver = data.get("receiver")
        address = receiver.get("address") if isinstance(receiver, Mapping) else ""
        return Booking(waybill_number=waybill[:64], idempotency_key=str(data.get("idempotency_key") or ""),
                       status=str(data.get("status") or "created"), created=created,
                       reference=str(data.get("reference") or "").strip(), receiver_address=str(address or "").strip())


# --- choosing one ------------------------------------------------------------------------------------


@dataclass
class _Cache:
    providers: dict[tuple, CourierProvider] = field(default_factory=dict)


_cache = _Cache()


def get_provider(name: str | None = None, settings: Mapping[str, Any] | None = None) -> CourierProvider:
    """The provider called ``name`` (the configured one by default), set up from the app's config."""
    if settings is None:
        from flask import current_app

        settings = current_app.config
    name = (name or settings["COURIER_PROVIDER"]).lower()
    if name == "manual":
        return ManualCourier()
    if name == "http":
        key = (settings["COURIER_BASE_URL"], settings["COURIER_KEY"], settings["COURIER_SECRET"],
               float(settings["COURIER_TIMEOUT_SECONDS"]))
        provider = _cache.providers.get(key)
        if provider is None:  # one connection pool per configuration
            provider = _cache.providers[key] = HttpCourier(*key)
        return provider
    raise CourierNotConfigured(f"unknown courier provider {name!r}")
