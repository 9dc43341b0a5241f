"""Case numbers follow CASE_NUMBER_FORMAT."""

from __future__ import annotations

import re
from datetime import date

from tests import factories


def _accepted_number(db) -> str:
    case = factories.make_case(db)
    return factories.run_steps(db, case, [("lz_window", "accept", factories.verify_all(case))]).number


def test_the_default_format_is_center_year_and_six_digits(db):
    assert re.fullmatch(rf"GYLZ-{date.today().year}-\d{{6}}", _accepted_number(db))


def test_another_format_gives_numbers_in_that_format(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "CASE_NUMBER_FORMAT", "跨域{year}{center_code}第{sequence:04d}号")
    first, second = _accepted_number(db), _accepted_number(db)
    assert re.fullmatch(rf"跨域{date.today().year}GYLZ第\d{{4}}号", first)
    assert int(second[-5:-1]) == int(first[-5:-1]) + 1  # the same gap-free sequence
