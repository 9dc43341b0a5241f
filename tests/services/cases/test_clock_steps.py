"""The legal clock's steps (issue 12): a special procedure stops the clock and an approved extension lengthens
the limit; every change is one step with its history, and only an approving head decides an extension."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import Forbidden, ValidationFailed
from app.models.case import OutboxMessage
from app.models.clock import ClockSegmentKind, ExtensionDecision
from app.scope import SYSTEM
from app.services.calendar import load_calendar
from app.services.cases.clock import case_clock
from app.services.cases.take_step import available_steps
from app.services.catalog.matters import publish_matter
from tests import factories


def _at_the_department(db):
    return factories.at_the_department(db)


def test_a_special_procedure_stops_the_clock_until_it_ends_and_tells_the_applicant(db):
    case = _at_the_department(db)
    due_before = case.process_due
    start = case.accepted_on
    calendar = load_calendar(db)
    began = calendar.add_working_days(start, 1).due
    case = factories.step(db, "cx_hrss", case, "start_special_procedure", on=began, procedure="testing",
                          expected_days="5", reason="需对申请人提交的检测报告进行复检。")
    assert case.status == "in_procedure"
    [segment] = case.clock_segments
    assert (segment.kind, segment.procedure, segment.days, segment.started_on) == (
        ClockSegmentKind.SPECIAL_PROCEDURE, "testing", 5, began)
    jobs = {(m.topic, m.key, m.payload.get("ref", "")) for m in db.query(OutboxMessage).filter_by(case_id=case.id)}
    assert ("render_notice", "special_procedure", "1") in jobs and ("notify_applicant", "special_procedure", "1") in jobs
    ended = calendar.add_working_days(began, 3).due
    case = factories.step(db, "cx_hrss", case, "end_special_procedure", on=ended, outcome="复检合格。")
    assert case.status == "processing" and segment.ended_on == ended and segment.decided_by_name == "蒲文斌"
    assert case.paused_days == 3
    assert case.process_due == calendar.add_working_days(due_before, 3).due
    assert [e.action for e in case.events][-2:] == ["start_special_procedure", "end_special_procedure"]


def test_an_extension_is_asked_by_the_officer_and_decided_only_by_the_approving_head(db):
    case = _at_the_department(db)
    due_before = case.process_due
    case = factories.step(db, "cx_hrss", case, "request_extension", days="5", reason="需现场核查，核查对象分布较散。")
    assert case.status == "extension_asked"
    officer, head = factories.user(db, "cx_hrss"), factories.user(db, "cx_hrss_head")
    assert "approve_extension" not in {t.name for t in available_steps(case, officer)}
    assert {"approve_extension", "refuse_extension"} <= {t.name for t in available_steps(case, head)}
    with pytest.raises(Forbidden):
        factories.step(db, "cx_hrss", case, "approve_extension")
    case = factories.step(db, "cx_hrss_head", case, "approve_extension", days="3")
    [extension] = case.clock_segments
    assert (extension.decision, extension.days, extension.decided_by_name) == (ExtensionDecision.APPROVED, 3, "罗建华")
    calendar = load_calendar(db)
    assert case.status == "processing" and case.process_due == calendar.add_working_days(due_before, 3).due
    assert case.paused_days == 0  # an extension lengthens the limit; it is no stop
    jobs = {(m.topic, m.key, m.payload.get("ref", "")) for m in db.query(OutboxMessage).filter_by(case_id=case.id)}
    assert ("render_notice", "extension", "1") in jobs


def test_an_extension_beyond_what_the_matter_allows_or_more_than_asked_is_refused_with_every_reason(db, app):
    case = _at_the_department(db)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "cx_hrss", case, "request_extension", days="11", reason="")
    fields = {p.field for p in refused.value.problems}
    assert fields == {"days", "reason"}
    case = factories.step(db, "cx_hrss", case, "request_extension", days="4", reason="需专家论证。")
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "cx_hrss_head", case, "approve_extension", days="6")
    assert [p.field for p in refused.value.problems] == ["days"]
    case = factories.step(db, "cx_hrss_head", case, "refuse_extension", reason="可在原时限内办结。")
    assert case.status == "processing" and case.clock_segments[0].decision == ExtensionDecision.REFUSED
    assert case.clock_segments[0].outcome == "可在原时限内办结。"


def test_the_matters_own_cap_bounds_every_extension_of_its_cases(db):
    matter = factories.matter(db, "KYTB-HRSS-001")
    matter.max_extension_days = 3
    publish_matter(db, matter, SYSTEM)
    case = _at_the_department(db)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "cx_hrss", case, "request_extension", days="4", reason="需专家论证。")
    assert [str(p.message) for p in refused.value.problems] == [
        "本事项累计最多可延期3个工作日，已批准0个工作日。"]
    case = factories.step(db, "cx_hrss", case, "request_extension", days="3", reason="需专家论证。")
    assert case.status == "extension_asked"


def test_a_matter_capped_at_zero_takes_no_extension(db):
    matter = factories.matter(db, "KYTB-HRSS-001")
    matter.max_extension_days = 0
    publish_matter(db, matter, SYSTEM)
    case = _at_the_department(db)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "cx_hrss", case, "request_extension", days="1", reason="需专家论证。")
    assert [p.field for p in refused.value.problems] == ["days"]


@pytest.mark.parametrize("days", ["0", "-2", "2.5", "三", "9999"])
def test_working_days_that_are_no_whole_number_from_1_are_refused(db, days):
    case = _at_the_department(db)
    with pytest.raises(ValidationFailed) as refused:
        factories.step(db, "cx_hrss", case, "request_extension", days=days, reason="需专家论证。")
    assert [p.field for p in refused.value.problems] == ["days"]


def test_the_clock_reads_corrections_procedures_and_extensions_apart(db):
    case = _at_the_department(db)
    calendar = load_calendar(db)
    case = factories.step(db, "cx_hrss", case, "request_extension", days="2", reason="需专家论证。")
    case = factories.step(db, "cx_hrss_head", case, "approve_extension")
    case = factories.step(db, "cx_hrss", case, "start_special_procedure", procedure="expert_review",
                          expected_days="4", reason="组织专家评审。")
    clock = case_clock(calendar, case, calendar.add_working_days(date.today(), 2).due)
    assert clock.extended_days == 2 and clock.stopped_days["special_procedure"] == 2
    assert clock.open_stop is not None and clock.expected_due is not None
