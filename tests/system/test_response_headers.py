"""Security headers and caching on every answer (issue 9, defect 7): pages and API answers carry a
Content-Security-Policy that forbids framing, nosniff, a Referrer-Policy, and ``Cache-Control: no-store``
(they hold personal data); static assets stay cacheable; downloads are sandboxed attachments."""

from __future__ import annotations

import pytest

from tests import factories

COMMON = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


def _assert_common(answer) -> None:
    for name, value in COMMON.items():
        assert answer.headers.get(name) == value, (name, answer.headers.get(name))


@pytest.mark.parametrize("path", ["/login/"])
def test_the_login_page_has_the_security_headers_and_is_not_stored(client, path):
    answer = client.get(path)
    assert answer.status_code == 200
    _assert_common(answer)
    policy = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy and "default-src 'self'" in policy
    assert "no-store" in answer.headers["Cache-Control"]


def test_pages_with_personal_data_are_not_stored(client, login, db):
    case = factories.make_case(db)
    login("lz_window")
    for path in (f"/cases/{case.id}/", "/cases/queue/", "/caseview/list/", "/ledgerview/list/"):
        answer = client.get(path, follow_redirects=True)
        assert answer.status_code == 200, path
        _assert_common(answer)
        assert "no-store" in answer.headers["Cache-Control"], path
        assert "Content-Security-Policy" in answer.headers, path


def test_api_answers_are_not_stored(client, api, db):
    case = factories.make_case(db)
    answer = api("lz_window").get(f"/api/v1/case/{case.id}")
    assert answer.status_code == 200
    _assert_common(answer)
    assert "no-store" in answer.headers["Cache-Control"]


def test_errors_carry_the_headers_too(client):
    answer = client.get("/api/v1/case/1")  # no token: 401
    assert answer.status_code == 401
    _assert_common(answer)
    assert "no-store" in answer.headers["Cache-Control"]


def test_static_assets_may_be_cached(client):
    answer = client.get("/static/appbuilder/css/ab.css")
    assert answer.status_code == 200
    assert "no-store" not in answer.headers.get("Cache-Control", "")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
