"""个人信息访问日志: the administrator and the city supervisor read the access log of personal data,
with what was seen, the searched column (masked) and the reason of a disclosure; nobody else does."""

from __future__ import annotations

import pytest

from tests.factories import accepted_case


@pytest.fixture()
def logged(db, api):
    case = accepted_case(db, applicant_phone="13987650123")
    api("lz_window").get(f"/api/v1/case/{case.id}")
    api("lz_window").get("/api/v1/case/?q=(filters:!((col:applicant_phone,opr:eq,value:'13987650123')))")
    api("city_super").post(f"/api/v1/case/{case.id}/disclosure", json={"reason": "12345投诉 第2026-0042号"})
    return case


@pytest.mark.parametrize("username", ["admin", "city_super"])
def test_the_access_log_shows_what_was_seen_by_whom_and_why(login, logged, username):
    page = login(username).get("/accesslogview/list/").get_data(as_text=True)
    assert "个人信息访问日志" in page
    for text in ("lz_window", "city_super", "applicant_phone=139****0123", "12345投诉 第2026-0042号",
                 "按身份证号码或电话查找", "查看个人信息", logged.number):
        assert text in page, text
    assert "13987650123" not in page


@pytest.mark.parametrize("username", ["lz_admin", "lz_window", "cx_hrss", "city_hrss"])
def test_only_the_administrator_and_the_supervisor_read_the_access_log(login, logged, username):
    response = login(username).get("/accesslogview/list/")
    assert response.status_code in (302, 403)
    assert "12345投诉" not in response.get_data(as_text=True)
