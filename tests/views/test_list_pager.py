"""The pager of the hand-made list pages (reminders, supervision orders, reconciliation findings): links to the
neighbouring pages that keep the filters, and none on a single page."""

from __future__ import annotations

PAGER = "{% from 'macros/pager.html' import pager %}{{ pager(endpoint, page, 50, total, args, 'Newer', 'Older') }}"


def _render(app, **context) -> str:
    with app.test_request_context("/"):
        return app.jinja_env.from_string(PAGER).render(endpoint="SupervisionView.list", **context)


def test_a_middle_page_links_both_ways_with_its_filters(app):
    html = _render(app, page=1, total=120, args={"state": "red"})
    assert 'href="/supervision/?page=0&amp;state=red">Newer' in html
    assert 'href="/supervision/?page=2&amp;state=red">Older' in html


def test_the_last_page_has_no_next_and_one_page_no_pager(app):
    assert "Older" not in _render(app, page=2, total=120, args={})
    assert "pager" not in _render(app, page=0, total=50, args={})
