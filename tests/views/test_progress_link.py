"""/p/<token>: the short link of the QR code on the acceptance notice and of the SMS leads to the portal's progress
page, without a login, alike for every token (the page asks the public API)."""

from __future__ import annotations

from tests import factories


def test_the_short_link_leads_to_the_portals_progress_page_without_a_login(client, db):
    case = factories.accepted_case(db)
    answer = client.get(f"/p/{case.public_token}")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/portal/progress.html?t={case.public_token}")


def test_any_token_gets_the_same_redirect_and_odd_characters_are_escaped(client, db):
    answer = client.get("/p/no-such-token")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/portal/progress.html?t=no-such-token")
    odd = client.get("/p/a%22%3E%3Cscript%3E")
    assert odd.status_code == 302 and "<" not in odd.headers["Location"] and '"' not in odd.headers["Location"]
