"""Consistency of the demo/seed data in ``app.demo.data`` (pure data checks, no app needed)."""

from __future__ import annotations

import re
from collections import Counter

import phonenumbers
import pytest

from app.demo import data as d

REGION_KEYS = {r["key"] for r in d.REGIONS}
CENTER_KEYS = {c["key"] for c in d.CENTERS}
DEPT_KEYS = {x["key"] for x in d.DEPARTMENTS}
HT_CODES = [h["code"] for h in d.HANDLING_TYPES]
REGIONS_BY_KEY = {r["key"]: r for r in d.REGIONS}
GY_COUNTY_KEYS = ["510802", "510811", "510812", "510821", "510822", "510823", "510824", "gy_kfq"]


def _dupes(values):
    return sorted(v for v, n in Counter(values).items() if n > 1)


# ------------------------------------------------------------------ lines


def test_lines_cover_required_codes():
    for code in ("hrss", "police", "medical_insurance", "market", "civil_affairs",
                 "natural_resources", "housing_fund"):
        assert code in d.LINES
    for code, names in d.LINES.items():
        assert re.fullmatch(r"[a-z_]+", code)
        assert isinstance(names, tuple) and len(names) == 2 and all(names)


def test_every_line_is_used_by_a_matter():
    used = {m["line"] for m in d.MATTERS}
    assert set(d.LINES) == used


# ------------------------------------------------------------------ regions


def test_region_keys_and_codes_unique():
    assert not _dupes(r["key"] for r in d.REGIONS)
    assert not _dupes(r["code"] for r in d.REGIONS if r["code"])


def test_region_shape_and_codes():
    for r in d.REGIONS:
        assert set(r) == {"key", "code", "name", "level", "parent"}, r
        assert r["level"] in {"province", "city", "county", "township"}
        if r["code"] is not None:
            assert r["key"] == r["code"]
            pattern = r"\d{9}" if r["level"] == "township" else r"\d{6}"
            assert re.fullmatch(pattern, r["code"]), r
        else:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", r["key"]), r


def test_region_parents_come_first():
    seen = set()
    for r in d.REGIONS:
        if r["parent"] is None:
            assert r["level"] == "province", r
        else:
            assert r["parent"] in seen, f"{r['key']} listed before its parent {r['parent']}"
        seen.add(r["key"])


def test_region_levels_nest():
    allowed = {"city": {"province"}, "county": {"city", "province"}, "township": {"county"}}
    for r in d.REGIONS:
        if r["parent"] is not None:
            assert REGIONS_BY_KEY[r["parent"]]["level"] in allowed[r["level"]], r


@pytest.mark.parametrize("code,name,level,parent", [
    ("510000", "四川省", "province", None),
    ("510800", "广元市", "city", "510000"),
    ("510802", "利州区", "county", "510800"),
    ("510811", "昭化区", "county", "510800"),
    ("510812", "朝天区", "county", "510800"),
    ("510821", "旺苍县", "county", "510800"),
    ("510822", "青川县", "county", "510800"),
    ("510823", "剑阁县", "county", "510800"),
    ("510824", "苍溪县", "county", "510800"),
    ("500000", "重庆市", "province", None),
    ("500103", "渝中区", "county", "500000"),
    ("510100", "成都市", "city", "510000"),
    ("510104", "锦江区", "county", "510100"),
    ("330000", "浙江省", "province", None),
    ("330100", "杭州市", "city", "330000"),
    ("330106", "西湖区", "county", "330100"),
    ("520000", "贵州省", "province", None),
    ("520100", "贵阳市", "city", "520000"),
    ("520103", "云岩区", "county", "520100"),
    ("530000", "云南省", "province", None),
    ("530100", "昆明市", "city", "530000"),
    ("530102", "五华区", "county", "530100"),
    ("540000", "西藏自治区", "province", None),
    ("540100", "拉萨市", "city", "540000"),
    ("540102", "城关区", "county", "540100"),
])
def test_required_regions(code, name, level, parent):
    r = REGIONS_BY_KEY[code]
    assert (r["code"], r["name"], r["level"], r["parent"]) == (code, name, level, parent)


def test_development_zone_and_townships():
    kfq = REGIONS_BY_KEY["gy_kfq"]
    assert kfq["code"] is None and kfq["level"] == "county" and kfq["parent"] == "510800"
    townships = [r for r in d.REGIONS if r["level"] == "township"]
    assert 2 <= len(townships) <= 4
    assert all(REGIONS_BY_KEY[t["parent"]]["parent"] == "510800" for t in townships)


# ------------------------------------------------------------------ centers


def test_center_keys_and_codes_unique_and_well_formed():
    assert not _dupes(c["key"] for c in d.CENTERS)
    assert not _dupes(c["code"] for c in d.CENTERS)
    for c in d.CENTERS:
        assert re.fullmatch(r"[A-Z0-9]{2,12}", c["code"]), c["code"]


def test_center_fields():
    fields = {"key", "code", "name", "kind", "external", "region", "address", "postcode", "phone", "hours"}
    for c in d.CENTERS:
        assert set(c) == fields, c["key"]
        assert c["kind"] in {"center", "station"}
        assert isinstance(c["external"], bool)
        assert c["region"] in REGION_KEYS, c["key"]
        assert re.fullmatch(r"\d{6}", c["postcode"]), c["key"]
        assert c["name"] and c["address"] and c["hours"]


def test_required_centers():
    by_key = {c["key"]: c for c in d.CENTERS}
    assert by_key["city_center"]["region"] == "510800"
    assert by_key["city_center"]["name"] == "广元市政务服务中心"
    assert by_key["lz_center"]["region"] == "510802" and by_key["lz_center"]["name"] == "广元市利州区政务服务中心"
    assert by_key["cx_center"]["region"] == "510824" and by_key["cx_center"]["name"] == "苍溪县政务服务中心"


def test_one_center_per_county_and_stations_in_townships():
    internal = [c for c in d.CENTERS if not c["external"]]
    county_centers = Counter(c["region"] for c in internal
                             if c["kind"] == "center" and REGIONS_BY_KEY[c["region"]]["level"] == "county")
    assert set(county_centers) == set(GY_COUNTY_KEYS)
    assert all(n == 1 for n in county_centers.values())
    stations = [c for c in internal if c["kind"] == "station"]
    assert 3 <= len(stations) <= 4
    assert all(REGIONS_BY_KEY[s["region"]]["level"] == "township" for s in stations)
    for c in internal:
        assert c["postcode"].startswith("628"), c["key"]


def test_external_counterpart_windows():
    external = {c["region"] for c in d.CENTERS if c["external"]}
    assert external == {"500103", "510104", "330106", "520103", "530102", "540102"}
    assert all(c["kind"] == "center" for c in d.CENTERS if c["external"])


# ------------------------------------------------------------------ departments


def test_department_refs_and_keys():
    assert not _dupes(x["key"] for x in d.DEPARTMENTS)
    fields = {"key", "name", "short_name", "region", "line", "center", "phone", "address"}
    for x in d.DEPARTMENTS:
        assert set(x) == fields, x["key"]
        assert x["region"] in REGION_KEYS, x["key"]
        assert x["line"] in d.LINES, x["key"]
        assert x["center"] is None or x["center"] in CENTER_KEYS, x["key"]
        assert x["name"] and x["short_name"] and x["address"]
        prefix = x["key"].split("_", 1)[0]
        assert x["key"] == f"{prefix}_{x['line']}", x["key"]


def test_department_centre_is_in_same_region():
    centers = {c["key"]: c for c in d.CENTERS}
    for x in d.DEPARTMENTS:
        if x["center"]:
            assert centers[x["center"]]["region"] == x["region"], x["key"]


def test_required_departments():
    by_key = {x["key"]: x for x in d.DEPARTMENTS}
    for key in ("lz_hrss", "cx_hrss", "lz_police", "cx_police", "city_hrss", "city_police"):
        assert key in by_key
    assert by_key["lz_police"]["name"] == "广元市公安局利州区分局"
    assert by_key["cx_police"]["name"] == "苍溪县公安局"
    assert by_key["city_hrss"]["region"] == "510800"
    city_lines = {x["line"] for x in d.DEPARTMENTS if x["region"] == "510800"}
    assert city_lines == set(d.LINES)


def test_each_county_has_core_departments():
    have = {(x["region"], x["line"]) for x in d.DEPARTMENTS}
    for county in GY_COUNTY_KEYS:
        for line in ("police", "hrss", "medical_insurance", "market"):
            assert (county, line) in have, (county, line)


# ------------------------------------------------------------------ phones


def _all_phones():
    yield from ((f"center {c['key']}", c["phone"]) for c in d.CENTERS)
    yield from ((f"department {x['key']}", x["phone"]) for x in d.DEPARTMENTS)
    yield from ((f"matter {m['code']}", m["consult_phone"]) for m in d.MATTERS)


def test_phones_are_valid_cn_numbers():
    bad = []
    for owner, phone in _all_phones():
        num = phonenumbers.parse(phone, "CN")
        if not phonenumbers.is_valid_number(num) or num.country_code != 86:
            bad.append((owner, phone))
    assert not bad


def test_guangyuan_phones_use_area_code_0839():
    internal = [c["phone"] for c in d.CENTERS if not c["external"]]
    gy_depts = [x["phone"] for x in d.DEPARTMENTS]
    assert all(p.startswith("0839-") for p in internal + gy_depts)


# ------------------------------------------------------------------ handling types


def test_handling_types():
    assert HT_CODES == ["kuasheng", "shengnei", "chuanyu", "hangguang", "xinan5"]
    assert [h["name"] for h in d.HANDLING_TYPES] == ["跨省通办", "省内通办", "川渝通办", "杭广通办", "西南五省通办"]
    for h in d.HANDLING_TYPES:
        assert set(h) == {"code", "name", "name_en", "nationwide", "regions", "description"}
        assert all(r in REGION_KEYS for r in h["regions"]), h["code"]
        assert h["nationwide"] == (h["regions"] == [])
    by_code = {h["code"]: h for h in d.HANDLING_TYPES}
    assert by_code["chuanyu"]["regions"] == ["510000", "500000"]
    assert by_code["hangguang"]["regions"] == ["330100", "510800"]


# ------------------------------------------------------------------ matters


def test_matters():
    assert len(d.MATTERS) >= 14
    assert not _dupes(m["code"] for m in d.MATTERS)
    assert not _dupes(m["name"] for m in d.MATTERS)
    fields = {"code", "name", "line", "handling_types", "legal_limit_days", "promised_limit_days", "fee_note",
              "consult_phone", "acceptance_conditions", "review_points", "materials"}
    for m in d.MATTERS:
        assert fields <= set(m) <= fields | {"precheck", "precheck_hours"}, m["code"]  # 远程预审: only those marked
        assert re.fullmatch(r"KYTB-[A-Z]+-\d{3}", m["code"])
        assert m["line"] in d.LINES
        assert m["handling_types"] and set(m["handling_types"]) <= set(HT_CODES), m["code"]
        assert not _dupes(m["handling_types"])
        assert isinstance(m["legal_limit_days"], int) and isinstance(m["promised_limit_days"], int)
        assert 0 < m["promised_limit_days"] <= m["legal_limit_days"], m["code"]
        assert m["fee_note"] and m["acceptance_conditions"] and m["review_points"]


def test_materials():
    for m in d.MATTERS:
        mats = m["materials"]
        assert 2 <= len(mats) <= 6, m["code"]
        assert any(x["required"] for x in mats), m["code"]
        assert not _dupes(x["name"] for x in mats), m["code"]
        for x in mats:
            assert set(x) == {"name", "copies", "form", "required", "original_check", "deferrable", "note"}
            assert not x["deferrable"] or (x["required"] and not x["original_check"]), x["name"]  # 容缺: non-key
            assert x["form"] in {"original", "copy", "scan"}
            assert isinstance(x["copies"], int) and x["copies"] >= 1
            assert isinstance(x["required"], bool) and isinstance(x["original_check"], bool)
            assert x["name"]


def test_some_non_key_materials_may_be_deferred():
    deferrable = [x["name"] for m in d.MATTERS for x in m["materials"] if x["deferrable"]]
    assert "单位经办人授权委托书" in deferrable and 1 <= len(deferrable) <= 3


def test_id_card_fees_on_police_matter():
    id_card = next(m for m in d.MATTERS if m["name"].startswith("居民身份证换领"))
    assert "20元" in id_card["fee_note"] and "40元" in id_card["fee_note"]


def test_one_demo_matter_is_pre_checked_in_half_a_working_day():
    assert [(m["code"], m["precheck"], m["precheck_hours"]) for m in d.MATTERS if "precheck" in m] == [
        ("KYTB-HRSS-003", True, 4)]


def test_matters_cover_every_department_line():
    assert {x["line"] for x in d.DEPARTMENTS} <= {m["line"] for m in d.MATTERS}


# ------------------------------------------------------------------ users


EXPECTED_USERS = {
    "admin": ("Admin", None, None, None),
    "city_super": ("CitySupervisor", "city_center", None, None),
    "lz_admin": ("CountyAdmin", None, None, "510802"),
    "cx_admin": ("CountyAdmin", None, None, "510824"),
    "lz_window": ("WindowClerk", "lz_center", None, None),
    "cx_window": ("WindowClerk", "cx_center", None, None),
    "lz_hrss": ("DepartmentOfficer", None, "lz_hrss", None),
    "cx_hrss": ("DepartmentOfficer", None, "cx_hrss", None),
    "cx_hrss_head": ("DepartmentOfficer", None, "cx_hrss", None),
    "lz_police": ("DepartmentOfficer", None, "lz_police", None),
    "cx_police": ("DepartmentOfficer", None, "cx_police", None),
    "city_hrss": ("CityDepartment", None, "city_hrss", None),
}


def test_users_exact():
    by_name = {u["username"]: u for u in d.USERS}
    assert len(by_name) == len(d.USERS)
    assert set(by_name) == set(EXPECTED_USERS)
    for name, (role, center, dept, county) in EXPECTED_USERS.items():
        u = by_name[name]
        assert (u["role"], u["center"], u["department"], u["county"]) == (role, center, dept, county), name


def test_user_fields_and_refs():
    fields = {"username", "first_name", "last_name", "display_name", "email", "role", "center", "department",
              "county", "extra_roles"}
    for u in d.USERS:
        assert set(u) == fields, u["username"]
        assert u["center"] is None or u["center"] in CENTER_KEYS
        assert u["department"] is None or u["department"] in DEPT_KEYS
        assert u["county"] is None or REGIONS_BY_KEY[u["county"]]["level"] == "county"
        assert re.fullmatch(r"[a-z0-9_.]+@gy-demo\.example\.cn", u["email"])
    assert not _dupes(u["email"] for u in d.USERS)


def test_the_approving_head_is_an_officer_of_the_department_with_the_approver_role_beside():
    [head] = [u for u in d.USERS if u["extra_roles"]]
    assert (head["username"], head["role"], head["extra_roles"]) == ("cx_hrss_head", "DepartmentOfficer", ("Approver",))


def test_user_names_surname_in_last_name():
    for u in d.USERS:
        if u["username"] == "admin":
            assert u["display_name"] == "系统管理员"
            continue
        assert len(u["last_name"]) in (1, 2), u["username"]
        assert u["display_name"] == u["last_name"] + u["first_name"], u["username"]


def test_demo_password():
    assert d.DEMO_PASSWORD_DEFAULT == "Demo#2026gy"


def test_the_demo_loads_the_deferrable_flag_of_its_materials(db):
    from app.models.catalog import Matter, MaterialRequirement

    marked = {(r.matter.code, r.name) for r in db.query(MaterialRequirement).join(Matter)
              .filter(MaterialRequirement.deferrable.is_(True))}
    assert ("KYTB-HF-001", "单位经办人授权委托书") in marked and len(marked) == 2
