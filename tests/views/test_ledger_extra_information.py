"""补充信息 (a case's extra form fields) on the work ledger screen (list and show) and in the ledger API, one
formatting (``app.services.exports.ledger.supplementary_text``), masked as the screen masks the phone."""

from __future__ import annotations

from sqlalchemy import select

from app.models.case import LedgerEntry
from tests import factories
from tests.api.test_form_fields_api import with_fields

VALUES = {"move_to": "广元市利州区嘉陵路1号", "contact": "13908125678"}
SHOWN = "迁入地址：广元市利州区嘉陵路1号；紧急联系电话：139****5678"


def _entry(db) -> LedgerEntry:
    with_fields(db)
    case = factories.accepted_case(db, form_values=VALUES)
    return db.scalar(select(LedgerEntry).where(LedgerEntry.case_id == case.id))


def test_the_ledger_screen_shows_the_extra_information_masked(db, client, login):
    entry = _entry(db)
    login("lz_window")
    shown = client.get(f"/ledgerview/show/{entry.id}").get_data(as_text=True)
    assert SHOWN in shown and "13908125678" not in shown
    listed = client.get("/ledgerview/list/").get_data(as_text=True)
    assert SHOWN in listed and "13908125678" not in listed


def test_the_ledger_api_answers_the_extra_information_masked(db, api):
    entry = _entry(db)
    clerk = api("lz_window")
    assert clerk.get(f"/api/v1/ledger/{entry.id}").get_json()["result"]["supplementary"] == SHOWN
    rows = clerk.get("/api/v1/ledger/").get_json()["result"]
    assert [row["supplementary"] for row in rows if row["id"] == entry.id] == [SHOWN]
