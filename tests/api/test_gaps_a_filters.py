"""A FAB rison filter ``eq`` on a code column finds the record (issue 15, found in the API-parity round)."""

import prison as rison
import pytest

from tests import factories


@pytest.mark.parametrize("opr", ["eq", "ct", "sw"])
def test_a_matter_is_found_by_its_code(api, db, opr):
    factories.matter(db, "KYTB-HRSS-001")
    q = rison.dumps({"filters": [{"col": "code", "opr": opr, "value": "KYTB-HRSS-001"}]})
    answer = api("admin").get(f"/api/v1/matter/?q={q}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert [row["code"] for row in answer.get_json()["result"]] == ["KYTB-HRSS-001"]


@pytest.mark.parametrize("resource", ["center", "region", "handling_type"])
def test_eq_on_code_works_across_resources(api, resource):
    admin = api("admin")
    listed = admin.get(f"/api/v1/{resource}/").get_json()["result"]
    wanted = next(row["code"] for row in listed if row["code"])
    q = rison.dumps({"filters": [{"col": "code", "opr": "eq", "value": wanted}]})
    answer = admin.get(f"/api/v1/{resource}/?q={q}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert [row["code"] for row in answer.get_json()["result"]] == [wanted]


def test_an_exact_case_number_finds_the_case_and_masked_columns_keep_their_rule(api, db):
    """``eq`` on a case's number is a plain match again; ``eq`` on the masked columns still the full-view one."""
    from app.api.cases import CaseApi, EqualOnFullView
    from app.platform.fab import ColumnFilters
    filters = CaseApi.datamodel.get_filters(CaseApi.search_columns)
    assert isinstance(filters, ColumnFilters)
    clerk = api("lz_window")
    listed = clerk.get("/api/v1/case/").get_json()["result"]
    if listed:
        number = listed[0]["number"]
        q = rison.dumps({"filters": [{"col": "number", "opr": "eq", "value": number}]})
        assert [row["number"] for row in clerk.get(f"/api/v1/case/?q={q}").get_json()["result"]] == [number]
    assert EqualOnFullView.arg_name == "eq"
