"""``Idempotency-Key`` on every POST of the REST API (docs/API.md): a client that sends a POST again with the
same key (its answer was lost: a timeout, a dropped connection) gets the first answer again, with
``Idempotent-Replayed: true``, and nothing is done twice.

- The key belongs to the user of the token; the first request reserves it (one row, unique per user and key),
  so of two identical requests sent at once one is answered and the other gets 409 (still being answered).
- The same key with another request (another path or body) is refused: 422.
- What is kept: answers the request was really decided by — 2xx and the refusals that the same request would get
  again (400, 404, 410, 412, 413, 422). Not kept, so the same key may be tried again: 401/403 (the token or the
  role, fixed by the client), 409 (a conflict of state that may pass), 429 and 5xx (transient).
- Keys are kept IDEMPOTENCY_KEY_HOURS (24 by default); older ones are removed as new keys are reserved.

Platform, as the outbox: it writes only its own table, in its own short transactions around the request.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.models.base import now
from app.models.system import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_CHARS = 255
#: statuses whose answer is kept and replayed (the same request would be decided the same way)
KEPT = frozenset({400, 404, 410, 412, 413, 422})
#: headers of the first answer that the replay repeats
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type", "Link")

KEY_TOO_LONG = _l("The Idempotency-Key must have 1 to %(max)d characters.")
KEY_REUSED = _l("This Idempotency-Key was already used for another request; use a new key for a new request.")
KEY_IN_FLIGHT = _l("A request with this Idempotency-Key is still being answered; try again in a moment.")


def _refusal(status: int, message: Any) -> Response:
    answer = Response(json.dumps({"message": str(message), "errors": [{"field": HEADER, "message": str(message)}]},
                                 ensure_ascii=False), status=status, mimetype="application/json")
    return answer


def _user_id() -> int | None:
    """The user of the request's token, or None (no token, a bad one: the endpoint answers 401 itself)."""
    from flask_jwt_extended import get_jwt_identity, verify_jwt_in_request

    try:
        verify_jwt_in_request(optional=True)
        identity = get_jwt_identity()
    except Exception:
        return None
    try:
        return int(identity) if identity is not None else None
    except (TypeError, ValueError):
        return None


def _request_hash() -> str:
    """The request as the key promises it: method, path, query and body. Multipart bodies are hashed by their
    fields and files (their boundary changes with each send)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.query_string.decode('latin-1')}\n".encode())
    if request.mimetype == "multipart/form-data":
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(f"field {name}={value}\n".encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            content = upload.read()
            upload.seek(0)
            digest.update(f"file {name} {upload.filename} {hashlib.sha256(content).hexdigest()}\n".encode())
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _session() -> Any:
    return current_app.appbuilder.session


def _hours() -> int:
    return int(current_app.config["IDEMPOTENCY_KEY_HOURS"])


def purge_expired_keys(session: Any) -> int:
    """Removes the keys older than IDEMPOTENCY_KEY_HOURS; the number removed."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_on < now() - timedelta(hours=_hours())))
    return result.rowcount or 0


def _replay(row: IdempotencyKey) -> Response:
    answer = Response(row.response_body or "", status=row.status or 200)
    for name, value in (row.response_headers or {}).items():
        answer.headers[name] = value
    answer.headers[REPLAYED] = "true"
    return answer


def _before() -> Response | None:
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None or not request.path.startswith("/api/v1/"):
        return None
    if request.path.startswith(("/api/v1/security/", "/api/v1/public")):
        return None
    user_id = _user_id()
    if user_id is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_CHARS:
        return _refusal(400, KEY_TOO_LONG % {"max": MAX_KEY_CHARS})
    fingerprint = _request_hash()
    session = _session()
    for _attempt in range(2):
        row = session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                          IdempotencyKey.key == key))
        if row is not None and row.created_on < now() - timedelta(hours=_hours()):
            session.delete(row)  # expired: the key is new again
            session.commit()
            row = None
        if row is not None:
            session.commit()  # ends the read
            if row.request_hash != fingerprint or row.method != request.method or row.path != request.path:
                return _refusal(422, KEY_REUSED)
            if row.status is None:
                return _refusal(409, KEY_IN_FLIGHT)
            return _replay(row)
        try:
            purge_expired_keys(session)
            reserved = IdempotencyKey(user_id=user_id, key=key, method=request.method, path=request.path[:500],
                                      request_hash=fingerprint, created_on=now())
            session.add(reserved)
            session.commit()
        except IntegrityError:  # the same key reserved meanwhile by a request sent at the same time
            session.rollback()
            continue
        g.idempotency_key_id = reserved.id
        return None
    return _refusal(409, KEY_IN_FLIGHT)


def _after(response: Response) -> Response:
    reserved = g.pop("idempotency_key_id", None)
    if reserved is None:
        return response
    session = _session()
    try:
        session.rollback()  # whatever the endpoint left open is not ours to commit
        row = session.get(IdempotencyKey, reserved)
        if row is None:
            return response
        if response.status_code < 300 or response.status_code in KEPT:
            row.status = response.status_code
            row.response_body = "" if response.direct_passthrough else response.get_data(as_text=True)
            row.response_headers = {name: response.headers[name] for name in REPLAYED_HEADERS
                                    if name in response.headers}
        else:
            session.delete(row)  # the same key may be tried again
        session.commit()
    except Exception:
        session.rollback()
        current_app.logger.exception("idempotency key %s not recorded", reserved)
    return response


def _released(error: BaseException | None) -> None:
    """A request that ended without an answer (an exception past Flask) leaves its key free for a retry."""
    reserved = g.pop("idempotency_key_id", None)
    if reserved is None:
        return
    session = _session()
    try:
        session.rollback()
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == reserved))
        session.commit()
    except Exception:
        session.rollback()


def install_idempotency(app: Flask) -> None:
    app.before_request(_before)
    app.after_request(_after)
    app.teardown_request(_released)
