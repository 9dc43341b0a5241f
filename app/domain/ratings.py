"""好差评 (service ratings) and 整改 (rectification): the fixed vocabulary and the rules, pure Python.

The applicant rates a delivered case once (GB/T 39734-2020 "一次一评、一事一评") on five levels, with optional tags
from a fixed list and a comment. A rating of 不满意 or below (level ≤ ``RECTIFY_AT_OR_BELOW``) opens a
rectification for the accepting window's county administrators: call the applicant back (回访), record what was
done (整改措施) and close it; or appeal (申诉) a rating plainly not about the service, which the city supervisor
decides (upheld: the rating leaves the satisfaction figures; rejected: the rectification goes on).

The Chinese names are the province's words (the export and the portal show them); pages show the translated
labels of ``app.labels``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Iterable

#: level -> the province's name (5 best)
RATING_LEVELS: dict[int, str] = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
#: a rating at or below this level opens a rectification (不满意 and 非常不满意)
RECTIFY_AT_OR_BELOW = 2
#: the comment an applicant may write, in characters
COMMENT_MAX_CHARS = 500
#: tags one rating may carry
MAX_TAGS = 10


class TagKind(StrEnum):
    PRAISE = "praise"
    COMPLAINT = "complaint"


@dataclass(frozen=True)
class RatingTag:
    code: str
    name: str  # the province's words
    kind: TagKind


#: the fixed tags (好评标签 / 差评标签), in the order the portal offers them
RATING_TAGS: tuple[RatingTag, ...] = (
    RatingTag("warm", "服务热情", TagKind.PRAISE),
    RatingTag("efficient", "办事高效", TagKind.PRAISE),
    RatingTag("told_once", "一次告知清楚", TagKind.PRAISE),
    RatingTag("fewer_trips", "少跑腿", TagKind.PRAISE),
    RatingTag("skilled", "业务熟练", TagKind.PRAISE),
    RatingTag("cold", "态度生硬", TagKind.COMPLAINT),
    RatingTag("slow", "办理超时", TagKind.COMPLAINT),
    RatingTag("unclear", "告知不清楚", TagKind.COMPLAINT),
    RatingTag("more_trips", "多次跑腿", TagKind.COMPLAINT),
    RatingTag("unreachable", "联系不上窗口", TagKind.COMPLAINT),
    RatingTag("result_wrong", "结果有误", TagKind.COMPLAINT),
)
TAGS_BY_CODE: dict[str, RatingTag] = {tag.code: tag for tag in RATING_TAGS}


class RatingChannel(StrEnum):
    PORTAL = "portal"  # 门户网站（办件查询页）
    SMS = "sms"  # 短信链接
    WINDOW = "window"  # 窗口评价器


class RectificationStatus(StrEnum):
    OPEN = "open"  # 整改中
    APPEALED = "appealed"  # 申诉中 (its clock does not warn while the supervisor decides)
    CLOSED = "closed"  # 已整改
    VOIDED = "voided"  # 申诉成立: the rating does not count


class AppealOutcome(StrEnum):
    UPHELD = "upheld"  # 申诉成立
    REJECTED = "rejected"  # 申诉不成立


class RatingProblem(StrEnum):
    """What can be wrong with a rating (the services word each one)."""

    NOT_DELIVERED = "not_delivered"
    BAD_LEVEL = "bad_level"
    UNKNOWN_TAG = "unknown_tag"
    TOO_MANY_TAGS = "too_many_tags"
    COMMENT_TOO_LONG = "comment_too_long"
    COMMENT_NOT_TEXT = "comment_not_text"


def as_level(value: Any) -> int | None:
    """The level an answer names (5 … 1, as a number or its digits), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value in RATING_LEVELS else None


def rating_problems(level: Any, tags: Any, comment: Any, *, delivered: bool) -> list[tuple[str, RatingProblem, Any]]:
    """Every problem of a rating at once, as (field, problem, detail)."""
    problems: list[tuple[str, RatingProblem, Any]] = []
    if not delivered:
        problems.append(("token", RatingProblem.NOT_DELIVERED, None))
    if as_level(level) is None:
        problems.append(("level", RatingProblem.BAD_LEVEL, None))
    tag_list = tags if isinstance(tags, (list, tuple)) else ([] if tags in (None, "") else [tags])
    unknown = [str(t) for t in tag_list if not isinstance(t, str) or t not in TAGS_BY_CODE]
    if unknown:
        problems.append(("tags", RatingProblem.UNKNOWN_TAG, ", ".join(unknown)))
    elif len(set(tag_list)) > MAX_TAGS:
        problems.append(("tags", RatingProblem.TOO_MANY_TAGS, MAX_TAGS))
    if comment is not None and not isinstance(comment, str):
        problems.append(("comment", RatingProblem.COMMENT_NOT_TEXT, None))
    elif len((comment or "").strip()) > COMMENT_MAX_CHARS:
        problems.append(("comment", RatingProblem.COMMENT_TOO_LONG, COMMENT_MAX_CHARS))
    return problems


def clean_tags(tags: Iterable[str]) -> list[str]:
    """The tags in the fixed order, each once."""
    chosen = set(tags)
    return [tag.code for tag in RATING_TAGS if tag.code in chosen]


def opens_rectification(level: int) -> bool:
    return level <= RECTIFY_AT_OR_BELOW


@dataclass(frozen=True)
class Satisfaction:
    """The satisfaction figures of a set of ratings: count per level and the rate (满意率: levels 5–3 of
    the ratings that count, those excluded by an upheld appeal left out); None when no rating counts."""

    per_level: dict[int, int]
    counted: int
    excluded: int
    rate: float | None


def satisfaction(ratings: Iterable[tuple[int, bool]]) -> Satisfaction:
    """``ratings``: (level, excluded) pairs."""
    per_level = {level: 0 for level in RATING_LEVELS}
    excluded = 0
    for level, is_excluded in ratings:
        if is_excluded:
            excluded += 1
            continue
        per_level[level] = per_level.get(level, 0) + 1
    counted = sum(per_level.values())
    satisfied = sum(n for level, n in per_level.items() if level > RECTIFY_AT_OR_BELOW)
    return Satisfaction(per_level, counted, excluded, round(satisfied / counted, 4) if counted else None)
