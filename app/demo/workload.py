"""The demo's working load (issue 14): some forty cases of the last four months between 利州区 and 苍溪县 and
to 重庆市渝中区, at every stage, some on time and some late, a few with a correction, so the supervisors'
dashboard, the reports and the reconciliation have something to show.

Pure data: ``plan_cases`` draws the cases from a fixed seed (the same every time) against a work calendar; the
demo service (``app.services.demo.load_demo_workload``) takes each case through the real steps on their days.
The applicants are made up; the ID numbers are well-formed (GB 11643 check digit) but belong to nobody.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from stdnum.cn import ric

#: a marker in every workload case's remarks: the load is skipped when it is there already
REMARK = "演示数据：看板办件"
SEED = 14
CASES = 40
#: the share of cases that stop at some step and lie there
STALLED = 0.3
#: how far back the first case was registered (working days before today)
FIRST_DAY_BACK = 80

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林蒲杜苟母向"
GIVEN = ("建华", "秀英", "志强", "丽娟", "文斌", "桂兰", "国庆", "海燕", "德明", "小红", "永刚", "春梅", "家豪",
         "思远", "雨涵", "玉兰", "光明", "晓东", "红梅", "子轩")
STREETS = ("利州区东坝街道嘉陵路", "利州区南河街道滨河路", "苍溪县陵江镇北门路", "苍溪县陵江镇江南干道",
           "昭化区元坝镇元坝路", "剑阁县下寺镇剑门路")


@dataclass(frozen=True)
class Route:
    """Who works a case from the front desk to the department and back."""

    origin_clerk: str
    home_center: str  # a key of ``data.CENTERS``, or a center code for an outside window
    home_clerk: str
    department: str | None  # a key of ``data.DEPARTMENTS``; None for an outside department
    officer: str  # who completes it (the origin clerk records an outside department's steps)
    line: str
    handling_type: str | None = None  # None: any of the matter's
    department_name: str = ""


ROUTES: tuple[tuple[Route, int], ...] = (
    (Route("lz_window", "cx_center", "cx_window", "cx_hrss", "cx_hrss", "hrss"), 14),
    (Route("lz_window", "cx_center", "cx_window", "cx_police", "cx_police", "police"), 7),
    (Route("cx_window", "lz_center", "lz_window", "lz_hrss", "lz_hrss", "hrss"), 9),
    (Route("cx_window", "lz_center", "lz_window", "lz_police", "lz_police", "police"), 6),
    (Route("lz_window", "CQYZ", "lz_window", None, "lz_window", "hrss", "chuanyu",
           "重庆市渝中区人力资源和社会保障局"), 4),
)


class Calendar(Protocol):
    def add_working_days(self, start: date, n: int): ...  # -> Deadline (with .due)


@dataclass
class PlannedCase:
    """One case: who, what, and the steps taken so far, each on its day (those after today are not taken)."""

    route: Route
    matter_line: str
    applicant: dict
    delivery_mail: bool
    registered: date
    #: (day, username, step name, fields) in order
    steps: list[tuple[date, str, str, dict]] = field(default_factory=list)


def id_number(rng: random.Random) -> str:
    """A well-formed resident ID of 广元市 (利州区 510802 or 苍溪县 510824, codes given out since 1985), born
    1986–2005."""
    body = f"{rng.choice(('510802', '510824'))}{rng.randint(1986, 2005)}{rng.randint(1, 12):02d}" \
           f"{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    return body + ric.calc_check_digit(body + "0")  # it reads the digits before the last


def applicant(rng: random.Random, index: int) -> dict:
    street = rng.choice(STREETS)
    return {
        "applicant_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "applicant_id_type": "resident_id",
        "applicant_id_number": id_number(rng),
        "applicant_phone": f"139{rng.randint(0, 9)}812{index:04d}",
        "applicant_address": f"四川省广元市{street}{rng.randint(1, 199)}号",
        "applicant_postcode": "628400" if "苍溪" in street else "628017",
    }


def plan_cases(today: date, calendar: Calendar, count: int = CASES, seed: int = SEED) -> list[PlannedCase]:
    rng = random.Random(seed)
    routes = [route for route, weight in ROUTES for _ in range(weight)]
    plans = []
    for index in range(count):
        route = rng.choice(routes)
        back = round(FIRST_DAY_BACK * (1 - index / count)) + rng.randint(0, 2)
        registered = _back(calendar, today, back)
        plan = PlannedCase(route, route.line, applicant(rng, index), rng.random() < 0.25, registered)
        _plan_steps(rng, plan, calendar)
        if rng.random() < STALLED:  # left lying at some step: the red and yellow of the dashboard
            del plan.steps[rng.randint(1, len(plan.steps) - 1):]
        plans.append(plan)
    return plans


def _back(calendar: Calendar, today: date, working_days: int) -> date:
    """The working day ``working_days`` before ``today`` (counted back one day at a time)."""
    day = today
    while working_days > 0:
        day = date.fromordinal(day.toordinal() - 1)
        if calendar.add_working_days(day, 0).due == day:
            working_days -= 1
    return day


def _plan_steps(rng: random.Random, plan: PlannedCase, calendar: Calendar) -> None:
    """The steps of one case with the working days between them: mostly in time, sometimes late."""
    route, day = plan.route, plan.registered
    outside = route.department is None

    def after(days: int) -> date:
        return calendar.add_working_days(day, days).due if days else day

    def take(gap: int, user: str, name: str, fields: dict | None = None) -> None:
        nonlocal day
        day = after(gap)
        plan.steps.append((day, user, name, fields or {}))

    take(0, route.origin_clerk, "accept", {"verified": "all"})
    take(rng.choice((0, 0, 1, 1, 1, 3)), route.origin_clerk, "dispatch", {"waybill_number": "waybill"})
    take(rng.choice((1, 1, 2, 2, 3, 6)), route.home_clerk, "receive", {"note": "对方窗口已签收"} if outside else {})
    take(0, route.home_clerk, "forward", {})
    if rng.random() < 0.2:
        take(rng.randint(1, 3), route.officer, "request_correction",
             {"items": [{"name": "居民户口簿", "reason": "复印件不清晰，请提供清晰复印件"}]})
        take(rng.randint(1, 4), route.origin_clerk, "supplement", {"supplied": "all", "waybill_number": "waybill"})
        take(rng.randint(1, 2), route.home_clerk, "receive_supplement", {})
    take(rng.choice((2, 3, 4, 5, 6, 8, 9, 12, 14)), route.officer, "complete",
         {"result": "approved" if rng.random() < 0.9 else "denied", "result_note": "准予办理"})
    if plan.delivery_mail and not outside:
        take(rng.choice((1, 1, 2, 4)), route.home_clerk, "deliver", {"waybill_number": "waybill"})
        return
    take(rng.choice((0, 1, 1, 2)), route.home_clerk, "send_result", {"waybill_number": "waybill"})
    take(rng.choice((1, 2, 2, 3, 5)), route.origin_clerk, "deliver", {})
