"""The case conversation (沟通记录; the notice's 沟通联络机制): the accepting window, the home window and the
department exchange messages on the case instead of by phone.

- Who reads the thread: the case's sides (its windows' clerks and its department's officers) and the city
  supervisors (read-only), within the one scope rule — out of scope is 404. Any other reader of the case
  (a county administrator, a city department) is refused (403); only a side posts.
- A message may name (@) people of the case's sides or whole sides; they are told in 我的提醒. A message
  that names nobody tells the other sides. An absent person's stand-in is told too. A person named is told
  by mail as well when mail is configured: the job ``mention_mail`` is queued through the outbox with the
  message (``app.services.notifications.mentions`` writes the mail to each named address).
- An attachment passes the checks of case files (``files.check_file``) and is stored like them; it is a
  full view, for the sides only (``open_full_view``), logged.
- Each message is an event of the case history (action ``message``), written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Sequence

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from app.adapters import storage
from app.adapters.messaging import mail_enabled
from app.domain.privacy import AccessKind
from app.domain.roles import RoleName
from app.domain.workflow import FROZEN_STATUSES, Effect, Side
from app.errors import Conflict, Forbidden, NotFound, ProblemCollector, ValidationFailed
from app.labels import SIDE_LABELS
from app.models.base import now
from app.models.case import Case
from app.models.conversation import CaseMessage, CaseMessageNotice
from app.models.staff import StaffUser
from app.platform import outbox
from app.scope import Reach, as_record_id, reach_of
from app.services.cases.access import Viewer, actor_place, get_case, open_full_view, sides_of
from app.services.cases.files import check_file
from app.services.cases.history import add_event
from app.services.organisation.stand_ins import stand_in_of, unit_of_side

MAX_BODY = 2000
#: the job that mails the people a message names (``app.services.notifications.mentions``)
MENTION_MAIL = Effect("mention_mail", "message")
#: the role each side's users hold
SIDE_ROLE = {Side.ORIGIN_WINDOW: RoleName.WINDOW_CLERK, Side.HOME_WINDOW: RoleName.WINDOW_CLERK,
             Side.DEPARTMENT: RoleName.DEPARTMENT_OFFICER}
NOT_FOR_YOU = _l("The conversation of a case is for its windows and its department (the city supervisor reads it).")


@dataclass(frozen=True)
class Participant:
    """A person who can be named (@) in a case's conversation."""

    user: StaffUser
    side: Side

    @property
    def key(self) -> str:
        return f"user:{self.user.id}"


@dataclass(frozen=True)
class Thread:
    case: Case
    messages: list[CaseMessage]
    #: the side the user writes for (None: reads only)
    writes_as: Side | None
    sides: list[Side]  # the sides of the case inside the system (can be named)
    participants: list[Participant]


def case_sides_inside(case: Case) -> list[Side]:
    """The sides of the case that have users in the system, in the order of the process."""
    sides = []
    if not case.origin_center.external:
        sides.append(Side.ORIGIN_WINDOW)
    if not case.home_center.external and case.home_center_id != case.origin_center_id:
        sides.append(Side.HOME_WINDOW)
    if case.department_id is not None:
        sides.append(Side.DEPARTMENT)
    return sides


def users_of_side(session: Session, case: Case, side: Side) -> list[StaffUser]:
    column, unit = unit_of_side(case, side)
    if unit is None:
        return []
    role = SIDE_ROLE[side].value
    users = session.scalars(select(StaffUser).where(column == unit, StaffUser.active.is_(True))
                            .order_by(StaffUser.id)).all()
    return [u for u in users if role in {r.name for r in u.roles}]


def participants(session: Session, case: Case) -> list[Participant]:
    return [Participant(user, side) for side in case_sides_inside(case) for user in users_of_side(session, case, side)]


def may_read_thread(reach: Reach, case: Case) -> bool:
    return bool(sides_of(reach, case)) or reach.has_role(RoleName.CITY_SUPERVISOR)


def writing_side(reach: Reach, case: Case) -> Side | None:
    """The side a user writes for: the first of the process order they stand on."""
    sides = sides_of(reach, case)
    return next((side for side in (Side.ORIGIN_WINDOW, Side.HOME_WINDOW, Side.DEPARTMENT) if side in sides), None)


def thread_of(session: Session, user: StaffUser, case_id: Any) -> Thread:
    """The conversation of a case: NotFound out of scope, Forbidden for a reader who is no side (nor the
    city supervisor)."""
    reach = reach_of(user)
    case = get_case(session, reach, case_id)
    if not may_read_thread(reach, case):
        raise Forbidden(NOT_FOR_YOU)
    messages = session.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id)
                               .order_by(CaseMessage.created_on, CaseMessage.id)).all()
    writes_as = writing_side(reach, case) if case.status not in FROZEN_STATUSES else None
    return Thread(case, list(messages), writes_as, case_sides_inside(case), participants(session, case))


def _mentions(session: Session, case: Case, raw: Iterable[Any], problems: ProblemCollector
              ) -> tuple[list[Side], list[StaffUser]]:
    """``raw``: "side:home_window" or "user:12" (a bare side name or user id is taken too)."""
    inside = case_sides_inside(case)
    people = {p.user.id: p.user for p in participants(session, case)}
    sides: list[Side] = []
    users: list[StaffUser] = []
    for item in raw:
        text = str(item or "").strip()
        if not text:
            continue
        kind, _, value = text.partition(":") if ":" in text else (("side", "", text) if text in SIDE_LABELS
                                                                   else ("user", "", text))
        if kind == "side" and value in SIDE_LABELS and Side(value) in inside:
            if Side(value) not in sides:
                sides.append(Side(value))
        elif kind == "user" and as_record_id(value) in people:
            if people[as_record_id(value)] not in users:
                users.append(people[as_record_id(value)])
        else:
            problems.add("mentions", _l("%(value)s is neither a side nor a person of this case.", value=text[:40]))
    return sides, users


def post_message(session: Session, user: StaffUser, case_id: Any, body: Any, mentions: Sequence[Any] = (),
                 upload: tuple[str, bytes] | None = None, reply_to: Any = None, today: date | None = None
                 ) -> CaseMessage:
    """Writes a message on the case for the user's side, tells whom it names (or the other sides), and
    records it in the history — one transaction. Every problem of the message at once (ValidationFailed)."""
    reach = reach_of(user)
    try:
        case = get_case(session, reach, case_id, lock=True)
        side = writing_side(reach, case)
        if side is None:
            raise Forbidden(_l("Only the windows and the department of the case write in its conversation."))
        if case.status in FROZEN_STATUSES:
            raise Conflict(_l("The case is closed: its conversation is read-only."))
        message = _new_message(session, user, case, side, body, mentions, upload, reply_to)
        session.flush()
        named = _notify(session, message, case, user, today or date.today())
        if named and mail_enabled(current_app.config):
            outbox.queue(session, MENTION_MAIL, case, message_id=message.id)
        add_event(session, case, "message", case.status, user, note=message.body,
                  data=_event_data(message, session))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return message


def _new_message(session: Session, user: StaffUser, case: Case, side: Side, body: Any, mentions: Sequence[Any],
                 upload: tuple[str, bytes] | None, reply_to: Any) -> CaseMessage:
    problems = ProblemCollector()
    text = body.strip() if isinstance(body, str) else ""
    if not text:
        problems.add("body", _l("Write the message."))
    elif len(text) > MAX_BODY:
        problems.add("body", _l("At most %(count)d characters.", count=MAX_BODY))
    sides, users = _mentions(session, case, mentions if isinstance(mentions, (list, tuple)) else [mentions], problems)
    answered = None
    if reply_to not in (None, ""):
        answered = session.get(CaseMessage, as_record_id(reply_to) or 0)
        if answered is None or answered.case_id != case.id:
            problems.add("reply_to", _l("The message answered is not one of this case."))
    checked = None
    if upload is not None and (upload[0] or upload[1]):
        try:
            checked = check_file("file", *upload)
        except ValidationFailed as refused:
            problems.problems.extend(refused.problems)
    problems.raise_if_any()
    message = CaseMessage(case_id=case.id, author_fk=user.id, author_name=user.name, author_place=actor_place(user),
                          author_side=side.value, body=text, mentioned_sides=[s.value for s in sides],
                          mentioned_user_ids=[u.id for u in users], reply_to_id=answered.id if answered else None)
    if checked is not None:
        key, digest = storage.put(checked.data)
        message.file_key, message.file_name, message.file_sha256 = key, checked.name, digest
        message.file_size, message.file_content_type = len(checked.data), checked.content_type
    session.add(message)
    return message


def recipients(session: Session, message: CaseMessage, case: Case, author: StaffUser, today: date
               ) -> dict[int, bool]:
    """user id → named personally: the people and sides named, else every other side; the stand-in of an
    absent recipient too; never the author."""
    named_sides = [Side(s) for s in message.mentioned_sides]
    if not named_sides and not message.mentioned_user_ids:
        named_sides = [s for s in case_sides_inside(case) if s.value != message.author_side]
        if message.reply_to is not None and message.reply_to.author_fk:
            named_sides = [s for s in named_sides if s.value == message.reply_to.author_side] or named_sides
    chosen: dict[int, bool] = {}
    for side in named_sides:
        for user in users_of_side(session, case, side):
            chosen.setdefault(user.id, False)
    for user_id in message.mentioned_user_ids:
        chosen[user_id] = True
    for user_id, personally in list(chosen.items()):
        stand_in = stand_in_of(session, user_id, today)
        if stand_in is not None:
            chosen.setdefault(stand_in.id, personally)
    chosen.pop(author.id, None)
    return chosen


def _notify(session: Session, message: CaseMessage, case: Case, author: StaffUser, today: date) -> bool:
    """The notices of 我的提醒; True when someone was named personally (they are told by mail too)."""
    named = False
    for user_id, personally in sorted(recipients(session, message, case, author, today).items()):
        session.add(CaseMessageNotice(message_id=message.id, user_id=user_id, mentioned=personally))
        named = named or personally
    return named


def mentioned_users(session: Session, message: CaseMessage) -> list[StaffUser]:
    if not message.mentioned_user_ids:
        return []
    by_id = {u.id: u for u in session.scalars(select(StaffUser).where(StaffUser.id.in_(message.mentioned_user_ids)))}
    return [by_id[i] for i in message.mentioned_user_ids if i in by_id]


def mention_labels(session: Session, message: CaseMessage) -> list[str]:
    """"@受理窗口", "@张丽" … as the message named them."""
    return ([f"@{SIDE_LABELS[s]}" for s in message.mentioned_sides if s in SIDE_LABELS]
            + [f"@{user.name}" for user in mentioned_users(session, message)])


def _event_data(message: CaseMessage, session: Session) -> dict[str, Any]:
    # codes and names, not words: the history shows them in the reader's language
    data: dict[str, Any] = {"message_id": message.id, "side": message.author_side}
    if message.mentioned_sides:
        data["mentioned_sides"] = list(message.mentioned_sides)
    if message.mentioned_user_ids:
        data["mentioned_users"] = [user.name for user in mentioned_users(session, message)]
    if message.file_name:
        data["file"] = message.file_name
    return data


def message_file(session: Session, viewer: Viewer, case_id: Any, message_id: Any) -> tuple[Path, str, str]:
    """(path, name, content type) of a message's attachment: NotFound out of scope (or no such file),
    Forbidden to readers who see masks (a file is a full view, as for case files), logged for the sides."""
    case = get_case(session, viewer.reach, case_id)
    if not may_read_thread(viewer.reach, case):
        raise Forbidden(NOT_FOR_YOU)
    message = session.get(CaseMessage, as_record_id(message_id) or 0)
    if message is None or message.case_id != case.id or not message.file_key:
        raise NotFound()
    path = storage.path_of(message.file_key)
    open_full_view(session, viewer, case, AccessKind.MESSAGE, record=path.is_file())
    return path, message.file_name, message.file_content_type


# --- 我的提醒: a user's conversation notices ------------------------------------------------------


def unread_notice_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(CaseMessageNotice).where(
        CaseMessageNotice.user_id == user_id, CaseMessageNotice.read_on.is_(None))) or 0


def notices_of(session: Session, user_id: int, *, show: str = "open", limit: int = 50) -> list[CaseMessageNotice]:
    """The user's own conversation notices (``show``: open — unread —, or all), newest first."""
    where = [CaseMessageNotice.user_id == user_id]
    if show == "open":
        where.append(CaseMessageNotice.read_on.is_(None))
    return list(session.scalars(select(CaseMessageNotice).where(*where)
                                .order_by(CaseMessageNotice.created_on.desc(), CaseMessageNotice.id.desc())
                                .limit(limit)))


def mark_notices_read(session: Session, user_id: int, ids: Iterable[Any] | None = None,
                      case_id: int | None = None) -> int:
    """Marks the user's own notices read: those ``ids``, those of one case, or all; others' are untouched."""
    where = [CaseMessageNotice.user_id == user_id, CaseMessageNotice.read_on.is_(None)]
    if ids is not None:
        ids = [i for i in map(as_record_id, ids) if i is not None]
        if not ids:
            return 0
        where.append(CaseMessageNotice.id.in_(ids))
    if case_id is not None:
        where.append(CaseMessageNotice.message_id.in_(select(CaseMessage.id).where(CaseMessage.case_id == case_id)))
    result = session.execute(update(CaseMessageNotice).where(and_(*where)).values(read_on=now())
                             .execution_options(synchronize_session=False))
    session.commit()
    return max(result.rowcount or 0, 0)
