"""The rules of the organisation records (centers, departments): phones and hotlines (issue 11, defect 2)."""

from __future__ import annotations

import pytest

from app.errors import ValidationFailed
from tests import factories


def test_a_center_keeps_a_service_hotline_apart_from_its_phone(db):
    center = factories.make_center(db, hotline="12345")
    assert (center.phone, center.hotline) == ("0839-3261234", "12345")


def test_a_hotline_is_no_centers_phone_and_a_phone_no_hotline_each_said_at_once(db):
    with pytest.raises(ValidationFailed) as refused:
        factories.make_center(db, phone="12345", hotline="0839-3261234")
    problems = {p.field: str(p.message) for p in refused.value.problems}
    assert set(problems) == {"phone", "hotline"} and "12345" in problems["phone"]


def test_a_department_may_publish_a_hotline(db):
    department = factories.make_department(db, hotline="12333")
    assert department.hotline == "12333"
