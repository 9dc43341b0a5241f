"""督导看板 in Chromium: the charts draw from the vendored ECharts (no script error, nothing fetched from outside),
a click on a bar and a click on a number open the list of the cases they count."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests import factories


def test_the_dashboard_draws_its_charts_and_clicks_through(sign_in, served, screenshots):
    from app.extensions import db

    session = db.session
    long_ago = date.today() - timedelta(days=40)
    while long_ago.weekday() >= 5:
        long_ago -= timedelta(days=1)
    factories.accepted_case(session, long_ago)
    factories.at_the_department(session)
    factories.delivered_case(session)
    db.session.remove()

    page = sign_in("city_super")
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/dashboard/")
    page.wait_for_function("document.querySelectorAll('#chart-open canvas').length > 0")
    assert not errors, errors
    assert all(url.startswith(served.url) or url.startswith("data:") for url in requests), requests
    assert page.locator(".dashboard-chart canvas").count() >= 6
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)

    # a click on the dispatch bar of the first county: the list of its cases waiting to be dispatched
    expected = page.locator("#table-open tbody tr").first.locator("td").first.inner_text()
    point = page.evaluate("""() => {
        const el = document.getElementById('chart-open');
        const chart = echarts.getInstanceByDom(el);
        const value = chart.getOption().series[0].data[0].value;
        const [x, y] = chart.convertToPixel({seriesIndex: 0}, [0, value / 2]);
        const box = el.getBoundingClientRect();
        return [box.left + x, box.top + y];
    }""")
    page.mouse.click(point[0], point[1])
    page.wait_for_url(re.compile(r".*/caseview/list/\?figure=.*"))
    note = page.locator(".figure-note").inner_text()
    assert f"（共 {expected} 件）" in note, note

    page.go_back()
    link = page.locator("#table-performance-window tfoot a, #table-performance-window tr.total a").first
    count = link.inner_text()
    link.click()
    assert f"（共 {count} 件）" in page.locator(".figure-note").inner_text()
