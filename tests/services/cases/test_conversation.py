"""The case conversation (沟通记录): who reads and writes it, whom a message tells, its attachments and its
place in the case history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.domain.workflow import Side
from app.errors import Forbidden, NotFound, ValidationFailed
from app.models.case import CaseAccessLog
from app.models.conversation import CaseMessageNotice
from app.scope import reach_of
from app.services.cases import conversation
from app.services.cases.access import Viewer
from app.services.organisation.stand_ins import save_stand_in
from tests import factories


def _notified(db, message) -> dict[str, bool]:
    notices = db.scalars(select(CaseMessageNotice).where(CaseMessageNotice.message_id == message.id)).all()
    return {db.get(type(factories.user(db, "lz_window")), n.user_id).username: n.mentioned for n in notices}


def _viewer(db, username: str) -> Viewer:
    user = factories.user(db, username)
    return Viewer(user, reach_of(user), "127.0.0.1", "web")


def test_a_message_that_names_nobody_tells_the_other_sides_of_the_case(db):
    case = factories.at_the_department(db)
    message = conversation.post_message(db, factories.user(db, "cx_hrss"), case.id, "第3项材料的复印件不清晰，可否重新扫描？")
    assert message.author_side == Side.DEPARTMENT
    assert _notified(db, message) == {"lz_window": False, "cx_window": False}


def test_a_message_names_a_person_or_a_side_and_only_they_are_told(db):
    case = factories.at_the_department(db)
    officer = factories.user(db, "cx_hrss")
    to_home = conversation.post_message(db, officer, case.id, "请属地窗口确认签收日期", ["side:home_window"])
    assert _notified(db, to_home) == {"cx_window": False}
    to_clerk = conversation.post_message(db, officer, case.id, "请张丽联系申请人", [f"user:{factories.user(db, 'lz_window').id}"])
    assert _notified(db, to_clerk) == {"lz_window": True}
    assert conversation.mention_labels(db, to_home) == ["@属地窗口"]
    assert conversation.mention_labels(db, to_clerk) == ["@张丽"]


def test_the_answer_inside_the_case_goes_back_to_the_side_that_asked(db):
    case = factories.at_the_department(db)
    question = conversation.post_message(db, factories.user(db, "cx_hrss"), case.id, "申请人户籍地是否已变更？")
    answer = conversation.post_message(db, factories.user(db, "lz_window"), case.id, "未变更，已电话核实。",
                                       reply_to=question.id)
    assert answer.reply_to_id == question.id
    assert _notified(db, answer) == {"cx_hrss": False, "cx_hrss_head": False}  # every officer of the side


def test_every_problem_of_a_message_is_listed_at_once(db):
    case = factories.at_the_department(db)
    with pytest.raises(ValidationFailed) as refused:
        conversation.post_message(db, factories.user(db, "cx_hrss"), case.id, "  ", ["side:nowhere", "user:999999"],
                                  upload=("说明.pdf", b"not a pdf at all"))
    fields = [p.field for p in refused.value.problems]
    assert fields.count("body") == 1 and fields.count("mentions") == 2 and fields.count("file") == 1


def test_each_message_is_an_event_of_the_case_history(db):
    case = factories.at_the_department(db)
    officer = factories.user(db, "cx_hrss")
    message = conversation.post_message(db, officer, case.id, "请补充说明", ["side:origin_window"],
                                        upload=("说明.pdf", factories.small_pdf()))
    event = case.events[-1]
    assert (event.action, event.from_status, event.to_status) == ("message", "processing", "processing")
    assert event.actor_name == officer.name and event.note == "请补充说明"
    assert event.data == {"message_id": message.id, "side": "department", "mentioned_sides": ["origin_window"],
                          "file": "说明.pdf"}


def test_a_reader_who_is_no_side_of_the_case_cannot_post(db):
    case = factories.at_the_department(db)
    for username in ("city_super", "lz_admin", "city_hrss"):
        with pytest.raises(Forbidden):
            conversation.post_message(db, factories.user(db, username), case.id, "我来说两句")
    assert not [e for e in case.events if e.action == "message"]


def test_the_city_supervisor_reads_the_thread_and_a_county_administrator_does_not(db):
    case = factories.at_the_department(db)
    conversation.post_message(db, factories.user(db, "lz_window"), case.id, "材料已寄出")
    thread = conversation.thread_of(db, factories.user(db, "city_super"), case.id)
    assert [m.body for m in thread.messages] == ["材料已寄出"] and thread.writes_as is None
    with pytest.raises(Forbidden):
        conversation.thread_of(db, factories.user(db, "lz_admin"), case.id)


def test_a_case_out_of_scope_is_not_found_for_reading_writing_and_files(db):
    case = factories.at_the_department(db)  # 利州区 → 苍溪县人社局
    message = conversation.post_message(db, factories.user(db, "lz_window"), case.id, "附件见",
                                        upload=("a.pdf", factories.small_pdf()))
    outsider = factories.user(db, "lz_police")
    with pytest.raises(NotFound):
        conversation.thread_of(db, outsider, case.id)
    with pytest.raises(NotFound):
        conversation.post_message(db, outsider, case.id, "?")
    with pytest.raises(NotFound):
        conversation.message_file(db, _viewer(db, "lz_police"), case.id, message.id)


def test_an_attachment_is_for_the_sides_only_and_each_download_is_logged(db):
    case = factories.at_the_department(db)
    message = conversation.post_message(db, factories.user(db, "cx_hrss"), case.id, "告知书样稿",
                                        upload=("样稿.png", factories.small_png()))
    assert message.file_content_type == "image/png" and message.file_size > 0
    path, name, content_type = conversation.message_file(db, _viewer(db, "lz_window"), case.id, message.id)
    assert path.is_file() and name == "样稿.png" and content_type == "image/png"
    assert db.scalars(select(CaseAccessLog).where(CaseAccessLog.case_id == case.id,
                                                  CaseAccessLog.kind == "message")).all()
    with pytest.raises(Forbidden):
        conversation.message_file(db, _viewer(db, "city_super"), case.id, message.id)


def test_notices_are_unread_until_read_and_each_user_reads_only_their_own(db):
    case = factories.at_the_department(db)
    conversation.post_message(db, factories.user(db, "cx_hrss"), case.id, "请核实")
    clerk, home = factories.user(db, "lz_window"), factories.user(db, "cx_window")
    assert conversation.unread_notice_count(db, clerk.id) == 1
    mine = conversation.notices_of(db, clerk.id)
    assert conversation.mark_notices_read(db, home.id, [mine[0].id]) == 0  # not hers
    assert conversation.mark_notices_read(db, clerk.id, [mine[0].id]) == 1
    assert conversation.unread_notice_count(db, clerk.id) == 0 and conversation.notices_of(db, clerk.id) == []
    assert len(conversation.notices_of(db, clerk.id, show="all")) == 1
    assert conversation.unread_notice_count(db, home.id) == 1


def test_the_stand_in_of_an_absent_recipient_is_told_too(db):
    case = factories.at_the_department(db)
    clerk = factories.user(db, "lz_window")
    mate = factories.make_colleague(db, "lz_window")
    save_stand_in(db, clerk, {"stand_in_user_id": mate.id, "starts_on": date.today().isoformat(),
                              "ends_on": (date.today() + timedelta(days=3)).isoformat()})
    message = conversation.post_message(db, factories.user(db, "cx_hrss"), case.id, "请张丽回电",
                                        [f"user:{clerk.id}"])
    assert _notified(db, message) == {"lz_window": True, mate.username: True}


def test_a_closed_case_keeps_its_conversation_read_only(db):
    case = factories.archived_case(db, build=False)
    with pytest.raises(Exception) as refused:
        conversation.post_message(db, factories.user(db, "lz_window"), case.id, "还有一事")
    assert refused.value.status == 409
