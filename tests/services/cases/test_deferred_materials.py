"""容缺受理 (issue 12, item 1): a window accepts with a non-key material missing when the matter allows it
(可容缺 in the catalog), against the applicant's written promise (承诺书) to supply it by a date; the case
cannot be approved until the promise is kept, and the accepting window is reminded when it is overdue."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import ValidationFailed
from app.models.catalog import MaterialRequirement
from app.scope import SYSTEM
from app.services.calendar import load_calendar
from app.services.cases import files as case_files
from app.services.catalog.matters import publish_matter
from tests import factories

ID_CARD, FORM, PHOTO = 1, 2, 3  # the materials of KYTB-HRSS-001, by seq
MONDAY = date(2026, 3, 2)


@pytest.fixture
def photo_deferrable(db):
    """KYTB-HRSS-001 republished with its photo required and 可容缺."""
    matter = factories.matter(db, "KYTB-HRSS-001")
    photo = next(m for m in matter.materials if m.seq == PHOTO)
    photo.required, photo.deferrable = True, True
    publish_matter(db, matter, SYSTEM)
    return matter




def _case_without(db, *missing: int, on: date = MONDAY):
    data = factories.case_data(db)
    data["materials"] = [item | {"received": item["seq"] not in missing}
                         for item in factories.guide_materials(db, data["matter_id"], received=True)]
    from app.services.cases.registration import register_case

    return register_case(db, factories.user(db, "lz_window"), data, today=on)


def _accept(db, case, on: date = MONDAY, **deferred):
    fields = {"verified": [m.seq for m in case.materials if m.received]}
    if deferred:
        fields["deferred"] = deferred
    return factories.step(db, "lz_window", case, "accept", on, **fields)


def _material(case, seq):
    return next(m for m in case.materials if m.seq == seq)


def test_the_catalog_flag_reaches_the_published_guide(db, photo_deferrable):
    content = photo_deferrable.current_guide.content
    assert [(m["seq"], m["deferrable"]) for m in content["materials"]][:3] == [
        (ID_CARD, False), (FORM, False), (PHOTO, True)]
    assert MaterialRequirement(name="x", seq=9).deferrable in (False, None)  # the column's default is False


def test_a_deferrable_material_is_accepted_against_a_signed_promise(db, photo_deferrable):
    case = _case_without(db, PHOTO)
    case = _accept(db, case, materials=[PHOTO], until="2026-03-06", promise_signed=True)
    assert case.status == "accepted"
    photo = _material(case, PHOTO)
    assert (photo.deferred_until, photo.promise_signed, photo.supplied_on) == (date(2026, 3, 6), True, None)
    assert photo.awaiting_supply


def test_a_missing_material_that_is_not_deferrable_is_still_refused_every_problem_at_once(db, photo_deferrable):
    case = _case_without(db, FORM, PHOTO)
    with pytest.raises(ValidationFailed) as refused:
        _accept(db, case, materials=[FORM, PHOTO], until="2026-03-20", promise_signed=False)
    fields = sorted(p.field for p in refused.value.problems)
    assert fields == ["deferred", "deferred.promise_signed", "deferred.until", "materials"]
    messages = " ".join(str(p.message) for p in refused.value.problems)
    assert "社会保障卡申领登记表" in messages
    db.refresh(case)
    assert case.status == "draft" and _material(case, PHOTO).deferred_until is None


def test_a_deferrable_missing_material_without_a_promise_is_refused_as_missing(db, photo_deferrable):
    case = _case_without(db, PHOTO)
    with pytest.raises(ValidationFailed) as refused:
        _accept(db, case)
    assert [p.field for p in refused.value.problems] == ["materials"]


def test_the_promised_day_is_a_working_day_after_today(db, photo_deferrable):
    case = _case_without(db, PHOTO)
    for until in ("2026-03-02", "2026-03-07"):  # today; a Saturday
        with pytest.raises(ValidationFailed) as refused:
            _accept(db, case, materials=[PHOTO], until=until, promise_signed=True)
        assert [p.field for p in refused.value.problems] == ["deferred.until"]


def test_the_case_cannot_be_approved_until_the_deferred_material_is_supplied(db, photo_deferrable):
    case = _case_without(db, PHOTO)
    case = _accept(db, case, materials=[PHOTO], until="2026-03-06", promise_signed=True)
    case = factories.run_steps(db, case, [("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN"}),
                                          ("cx_window", "receive", {}), ("cx_window", "forward", {})], MONDAY)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "cx_hrss", case, "complete", MONDAY, **factories.completion())
    assert [p.field for p in refused.value.problems] == ["result"]
    assert "2026-03-06" in str(refused.value.problems[0].message)

    case = case_files.supply_deferred(db, factories.user(db, "lz_window"), case.id, _material(case, PHOTO).id,
                                      "照片.png", factories.small_png(), today=date(2026, 3, 5))
    photo = _material(case, PHOTO)
    assert photo.supplied_on == date(2026, 3, 5) and photo.received and photo.scan_name == "照片.png"
    assert case.events[-1].action == "supply_deferred"
    case = factories.step(db, "cx_hrss", case, "complete", MONDAY, **factories.completion())
    assert case.status == "completed"


def test_a_broken_promise_lets_the_department_deny_the_case(db, photo_deferrable):
    case = _case_without(db, PHOTO)
    case = _accept(db, case, materials=[PHOTO], until="2026-03-06", promise_signed=True)
    case = factories.run_steps(db, case, [("lz_window", "dispatch", {"waybill_number": "EMS1234567890CN"}),
                                          ("cx_window", "receive", {}), ("cx_window", "forward", {})], MONDAY)
    case = factories.step(db, "cx_hrss", case, "complete", date(2026, 3, 10),
                          **factories.completion("denied", "未按承诺补齐材料"))
    assert case.status == "completed" and case.result == "denied"


def test_only_the_accepting_side_supplies_a_deferred_material_and_only_once(db, photo_deferrable):
    from app.errors import Conflict, NotFound

    case = _case_without(db, PHOTO)
    case = _accept(db, case, materials=[PHOTO], until="2026-03-06", promise_signed=True)
    clerk = factories.user(db, "lz_window")
    with pytest.raises(Conflict):  # the ID card was not deferred
        case_files.supply_deferred(db, clerk, case.id, _material(case, ID_CARD).id, "a.png", factories.small_png())
    case_files.supply_deferred(db, clerk, case.id, _material(case, PHOTO).id, "a.png", factories.small_png())
    with pytest.raises(Conflict):
        case_files.supply_deferred(db, clerk, case.id, _material(case, PHOTO).id, "a.png", factories.small_png())
    with pytest.raises(NotFound):  # 旺苍县's window does not see the case
        case_files.supply_deferred(db, factories.user(db, "cx_window"), case.id + 999, 1, "a.png",
                                   factories.small_png())


def test_an_overdue_promise_is_a_reminder_to_the_accepting_window(db, photo_deferrable):
    from app.services.notifications.reminders import overdue_promises

    case = _case_without(db, PHOTO)
    case = _accept(db, case, materials=[PHOTO], until="2026-03-04", promise_signed=True)
    calendar = load_calendar(db)
    assert overdue_promises(db, date(2026, 3, 4)) == []
    due = overdue_promises(db, date(2026, 3, 5))
    assert [(m.case_id, m.seq) for m in due] == [(case.id, PHOTO)]
    assert calendar  # the calendar is loaded from the database
