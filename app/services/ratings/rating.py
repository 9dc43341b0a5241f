"""好差评: the applicant rates a delivered case once, from the portal (the progress page, the SMS link); a rating
of 不满意 or below opens the rectification of the accepting window's county in the same transaction.

``rate_case`` answers: NotFound for a token no case has; Conflict when the case is rated already; otherwise
ValidationFailed with every problem at once (not delivered yet, a level that is none of 5 … 1, a tag that is not
in the list, a comment too long).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, literal, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain import ratings as domain
from app.domain.deadlines import WarningLevel, warning_cutoff
from app.domain.ratings import RatingChannel, RatingProblem, RectificationStatus
from app.errors import Conflict, NotFound, Problem, ProblemCollector
from app.labels import RATING_LEVEL_LABELS, RATING_TAG_LABELS
from app.models.base import now
from app.models.case import Case
from app.models.org import Region, ServiceCenter
from app.models.rating import Rating, Rectification, RectificationEvent
from app.services.calendar import load_calendar
from app.services.cases.deadlines import near_working_days
from app.services.public.ratings import RATABLE, moment, public_rating, rating_of, rating_summary  # noqa: F401
from app.services.ratings.tokens import case_for_token

UNKNOWN_TOKEN = _l("No case has this link. Check the link or the QR code on your acceptance notice.")
RATED_ALREADY = _l("This case has been rated already: each case is rated once.")
PROBLEM_MESSAGES = {
    RatingProblem.NOT_DELIVERED: lambda detail: _l("The case can be rated once its result has been delivered."),
    RatingProblem.BAD_LEVEL: lambda detail: _l("Choose a rating from 5 (very satisfied) to 1 (very dissatisfied)."),
    RatingProblem.UNKNOWN_TAG: lambda detail: _l("Unknown tag: %(tags)s.", tags=detail),
    RatingProblem.TOO_MANY_TAGS: lambda detail: _l("Choose at most %(n)d tags.", n=detail),
    RatingProblem.COMMENT_TOO_LONG: lambda detail: _l("The comment may be at most %(n)d characters long.", n=detail),
    RatingProblem.COMMENT_NOT_TEXT: lambda detail: _l("The comment must be text."),
}


def our_window(case: Case) -> ServiceCenter:
    """The window on our side that took the case in: the accepting window, or the home window of a case an
    outside window accepted for us. Its county answers for the service."""
    return case.home_center if case.origin_center.external else case.origin_center


def county_of(center: ServiceCenter) -> Region:
    return center.region.county or center.region


def rating_options() -> dict[str, Any]:
    """The levels (5 … 1) and the tags, in the reader's language."""
    return {
        "levels": [{"value": value, "label": str(RATING_LEVEL_LABELS[value])} for value in domain.RATING_LEVELS],
        "tags": [{"code": tag.code, "label": str(RATING_TAG_LABELS[tag.code]), "kind": tag.kind.value}
                 for tag in domain.RATING_TAGS],
    }


def rating_state(session: Session, token: Any) -> dict[str, Any]:
    """``{open, given, rating}`` of the case of ``token`` (NotFound for a token no case has): ``open`` once its
    result is delivered, ``given`` once rated."""
    case = case_for_token(session, token)
    if case is None:
        raise NotFound(Problem(None, UNKNOWN_TOKEN))
    return rating_summary(session, case)


def rate_case(session: Session, token: Any, level: Any, tags: Any, comment: Any,
              channel: str = RatingChannel.PORTAL.value, *, today: date | None = None,
              at: datetime | None = None) -> Rating:
    """Records the applicant's rating (one transaction); a level ≤ 2 opens the rectification."""
    case = case_for_token(session, token)
    if case is None:
        raise NotFound(Problem("token", UNKNOWN_TOKEN))
    if rating_of(session, case.id) is not None:
        raise Conflict(Problem("token", RATED_ALREADY))
    problems = ProblemCollector()
    for field, problem, detail in domain.rating_problems(level, tags, comment, delivered=case.status in RATABLE):
        problems.add(field, PROBLEM_MESSAGES[problem](detail))
    problems.raise_if_any()
    at = at or now()
    today = today or at.date()
    window = our_window(case)
    county = county_of(window)
    tag_list = tags if isinstance(tags, (list, tuple)) else ([] if tags in (None, "") else [tags])
    rating = Rating(case_id=case.id, center_id=window.id, county_id=county.id, level=domain.as_level(level),
                    tags=domain.clean_tags(tag_list), comment=(comment if isinstance(comment, str) else "").strip(),
                    channel=channel if channel in {c.value for c in RatingChannel} else RatingChannel.PORTAL.value,
                    rated_at=at)
    session.add(rating)
    try:
        session.flush()
    except IntegrityError as exc:  # rated at the same moment by another request
        session.rollback()
        raise Conflict(Problem("token", RATED_ALREADY)) from exc
    if domain.opens_rectification(rating.level):
        _open_rectification(session, rating, today, at)
    session.commit()
    return rating


def _open_rectification(session: Session, rating: Rating, today: date, at: datetime) -> Rectification:
    deadline = load_calendar(session).add_working_days(today, current_app.config["RECTIFICATION_WORKING_DAYS"])
    rectification = Rectification(rating_id=rating.id, case_id=rating.case_id, center_id=rating.center_id,
                                  county_id=rating.county_id, status=RectificationStatus.OPEN.value, opened_on=today,
                                  due_on=deadline.due, due_provisional=deadline.provisional, warning_level="none",
                                  callback_contact="", callback_note="", actions="", appeal_reason="",
                                  appeal_outcome="", appeal_note="")
    rectification.events.append(RectificationEvent(
        seq=1, action="opened", at=at, actor_name="", note="",
        data={"level": rating.level, "due_on": deadline.due.isoformat()}))
    session.add(rectification)
    session.flush()
    return rectification


# --- warnings of the rectifications (the deadline job runs it) ---------------------------------------


def refresh_rectification_warnings(session: Session, today: date | None = None, *, commit: bool = True) -> int:
    """Recomputes every rectification's warning level in one UPDATE: red once its due day has passed, yellow
    when at most DEADLINE_WARNING_WORKING_DAYS working days are left, none when it is not open."""
    today = today or date.today()
    cutoff = warning_cutoff(load_calendar(session), today, near_working_days())
    is_open = Rectification.status == RectificationStatus.OPEN.value
    level = sql_case(
        (and_(is_open, Rectification.due_on < today), literal(WarningLevel.RED.value)),
        (and_(is_open, Rectification.due_on <= cutoff), literal(WarningLevel.YELLOW.value)),
        else_=literal(WarningLevel.NONE.value),
    )
    result = session.execute(update(Rectification).values(warning_level=level)
                             .where(Rectification.warning_level != level)
                             .execution_options(synchronize_session=False))
    if commit:
        session.commit()
    return max(result.rowcount or 0, 0)


def rectification_ids_of_cases(session: Session, case_ids: Iterable[int]) -> dict[int, int]:
    """case id -> the id of its rectification (for links from reminders)."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    return dict(session.execute(select(Rectification.case_id, Rectification.id)
                                .where(Rectification.case_id.in_(ids))).all())


def satisfaction_of(session: Session, start: datetime, end: datetime, case_ids: Iterable[int] | None = None,
                    county_id: int | None = None) -> domain.Satisfaction:
    """The satisfaction figures of the ratings given from ``start`` up to (not including) ``end``; only those of
    ``case_ids``, or of the windows of one county, when given."""
    stmt = select(Rating.level, Rating.excluded).where(Rating.rated_at >= start, Rating.rated_at < end)
    if county_id is not None:
        stmt = stmt.where(Rating.county_id == county_id)
    if case_ids is not None:
        ids = sorted(set(case_ids))
        if not ids:
            return domain.satisfaction([])
        stmt = stmt.where(Rating.case_id.in_(ids))
    return domain.satisfaction((level, excluded) for level, excluded in session.execute(stmt))
