"""Helpers of the supervision tests."""

from __future__ import annotations

from tests import factories


def other_county_case(db):
    """A case of 苍溪县's window for 旺苍县's police: nothing of 利州区 touches it."""
    return factories.accepted_case(db, clerk="cx_window", home="wc_center", matter_code="KYTB-POL-001",
                                   department_key="wc_police")


ORDER = {"instruction": "请说明该件办理进度，并于期限内反馈。", "responsible_side": "department", "reply_days": "3"}
