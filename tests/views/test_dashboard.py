"""督导看板 page: who opens it, the filters (bad input shows every problem and changes nothing), the click-through
to the scoped case list of exactly the counted cases, the statement count, and the vendored ECharts."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models.case import Case
from app.services.dashboard.cells import cell
from tests import factories as f
from tests.conftest import count_statements

ROOT = Path(__file__).resolve().parents[2]
ECHARTS = ROOT / "app" / "static" / "vendor" / "echarts"
#: the pinned file (npm: echarts@6.1.0, dist/echarts.min.js)
ECHARTS_SHA256 = "b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0"
COUNT = re.compile(r'<a class="figure-count" href="([^"]+)" data-cell="([^"]+)">(\d+)</a>')
LIST_ROW = re.compile(r'<td class="col-number"><a href="/cases/(\d+)/"')


def _page(client, url: str = "/dashboard/") -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _listed_ids(client, url: str) -> set[int]:
    page = _page(client, unescape(url) + "&psize_CaseView=100")
    return {int(i) for i in LIST_ROW.findall(page)}


@pytest.fixture()
def cases(db):
    return [f.accepted_case(db), f.at_the_department(db), f.delivered_case(db), f.outbound_case_in_correction(db)]


@pytest.mark.parametrize("username,allowed", [
    ("city_super", True), ("lz_admin", True), ("city_hrss", True), ("admin", True),
    ("lz_window", False), ("cx_hrss", False),
])
def test_who_opens_the_dashboard(client, login, username, allowed):
    login(username)
    response = client.get("/dashboard/")
    assert (response.status_code == 200) is allowed, response.status_code
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert ('href="/dashboard/"' in home) is allowed


def test_each_count_lists_exactly_the_cases_it_counts(client, login, cases):
    login("cx_admin")
    page = _page(client)
    counts = COUNT.findall(page)
    assert len(counts) > 50
    # the open cases of the county table, by stage and in total, and every non-zero count of the period
    checked = 0
    for url, _cell, value in counts:
        if int(value) == 0 and checked > 5:
            continue
        assert len(_listed_ids(client, url)) == int(value), (url, value)
        checked += 1
    assert checked > 10
    outbound = cases[3]
    # 苍溪县 does not see the case 利州区 sent to 渝中区, even when a figure names it
    url = "/caseview/list/?figure=" + cell("open", **{"from": outbound.origin_center.region_id}).encode()
    ids = _listed_ids(client, url)
    assert outbound.id not in ids and cases[0].id in ids


def test_the_list_of_a_figure_refuses_a_malformed_one(client, login):
    login("city_super")
    for bad in ("m:nothing", "m:open~window:99999999999999", "m:completed", "~~"):
        assert client.get("/caseview/list/?figure=" + bad).status_code == 400, bad


def test_the_red_count_of_a_county_lists_its_overdue_cases(client, login, db, cases):
    late = cases[0]
    db.execute(Case.__table__.update().where(Case.id == late.id).values(warning_level="red"))
    login("city_super")
    page = _page(client)
    red = re.search(r'<td class="num level-red"><a class="figure-count" href="([^"]+)"[^>]*>(\d+)</a>', page)
    assert red and red.group(2) == "1"
    assert _listed_ids(client, red.group(1)) == {late.id}
    # the list offers a 督办单 on its cases: the issuing form comes filled with their numbers
    listed = client.get(unescape(red.group(1))).get_data(as_text=True)
    supervise = re.search(r'class="btn btn-warning btn-xs supervise-listed" href="([^"]+)"', listed)
    assert supervise, "no 督办 link on the figure's list"
    form = client.get(unescape(supervise.group(1))).get_data(as_text=True)
    assert late.number in form


def test_the_list_of_a_figure_offers_no_supervision_order_to_those_who_cannot_issue_one(client, login, db, cases):
    db.execute(Case.__table__.update().where(Case.id == cases[0].id).values(warning_level="red"))
    login("city_hrss")
    page = _page(client)
    red = re.search(r'<td class="num level-red"><a class="figure-count" href="([^"]+)"[^>]*>(\d+)</a>', page)
    assert red, "no red count"
    assert "supervise-listed" not in client.get(unescape(red.group(1))).get_data(as_text=True)


def test_filters_narrow_and_bad_filters_change_nothing(client, login, db, cases):
    login("city_super")
    plain = _page(client)
    cx_hrss = f.department(db, "cx_hrss").id
    narrowed = _page(client, f"/dashboard/?department={cx_hrss}")
    total = re.compile(r'<tfoot><tr class="total">.*?</tr></tfoot>', re.S)
    assert total.search(plain).group(0) != total.search(narrowed).group(0)
    bad = _page(client, "/dashboard/?from=2026-02-30&to=yesterday&county=abc&window=99999999999&line=%3Cscript%3E"
                        "&handling_type=-1&department=0")
    assert "filter-problems" in bad
    assert len(re.findall(r'<li data-field="', bad)) == 7
    assert total.search(bad).group(0) == total.search(plain).group(0)
    assert "<script>" not in bad.split("filter-problems")[1].split("</div>")[0]
    preset = _page(client, "/dashboard/?preset=year")
    assert f"{date.today().year}-01-01" in preset
    assert "filter-problems" in _page(client, "/dashboard/?preset=decade")


def test_the_statements_of_the_page_do_not_grow_with_the_cases(client, login, db):
    login("city_super")
    f.delivered_case(db)

    def statements() -> int:
        return count_statements(lambda: _page(client), savepoints=False)

    statements()  # warm the caches every page shares
    few = statements()
    for _ in range(3):
        f.delivered_case(db)
        f.at_the_department(db)
        f.accepted_case(db)
    f.outbound_case_in_correction(db)
    statements()  # the cases' commits expired the signed-in user: the first page after loads it again
    assert statements() == few


def test_the_charts_come_from_the_pinned_local_echarts(client, login):
    data = (ECHARTS / "echarts.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == ECHARTS_SHA256, "app/static/vendor/echarts/echarts.min.js is not pinned"
    manifest = json.loads((ECHARTS / "MANIFEST.json").read_text())
    assert manifest["files"]["echarts.min.js"] == ECHARTS_SHA256 and manifest["version"] == "6.1.0"
    assert (ECHARTS / "LICENSE").read_text().startswith("\n") or "Apache License" in (ECHARTS / "LICENSE").read_text()
    login("city_super")
    page = _page(client)
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert "/static/app/vendor/echarts/echarts.min.js" in scripts
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))]
    assert client.get("/static/app/vendor/echarts/echarts.min.js").status_code == 200
    charts = json.loads(unescape(re.search(r'id="dashboard-data">(.*?)</script>', page, re.S).group(1)))
    assert set(charts) >= {"open", "performance", "matrix", "routes", "satisfaction", "weeks", "months"}
    assert select  # (the tables carry the same numbers: see the click-through test)


def test_the_definitions_read_as_the_reports_do(app):
    """The dashboard states on-time, correction rate and attribution in the reports' own words (zh)."""
    from flask_babel import force_locale

    from app.services.notifications.reports import DEFINITIONS as REPORTS
    from app.views.dashboard import DEFINITIONS

    with app.test_request_context(), force_locale("zh"):
        shown = [str(text) for text in DEFINITIONS]
    assert REPORTS[1] in shown and REPORTS[5] in shown and REPORTS[-1] in shown


def test_the_page_reads_in_chinese_and_in_english(client, login, cases):
    login("city_super")
    chinese = _page(client)
    assert "督导看板" in chinese and "按时办结率" in chinese and "受理地" in chinese
    client.get("/lang/en")
    english = _page(client)
    assert "Supervision dashboard" in english and "On-time rate" in english
