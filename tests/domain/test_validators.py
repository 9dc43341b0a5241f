"""The checks on what people type (pure, no app): phones of applicants and recipients, hotlines of
organisations."""

from __future__ import annotations

import pytest

from app.domain import validators


@pytest.mark.parametrize("raw, normal", [
    ("13800138000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("0839-3261234", "0839-3261234"),
    ("010-12345678", "010-12345678"),
    ("(0839)3261234", "0839-3261234"),
])
def test_a_mobile_or_a_fixed_line_with_its_area_code_is_a_personal_phone(raw, normal):
    assert validators.normalize_phone(raw) == normal
    assert validators.phone_problem(raw) is None


@pytest.mark.parametrize("raw, problem", [
    ("13800", validators.PhoneProblem.TOO_SHORT),
    ("12345", validators.PhoneProblem.SERVICE_NUMBER),
    ("12348", validators.PhoneProblem.SERVICE_NUMBER),
    ("3261234", validators.PhoneProblem.NO_AREA_CODE),
    ("139081212345678", validators.PhoneProblem.TOO_LONG),
    ("1390812123", validators.PhoneProblem.TOO_SHORT),
    ("phone", validators.PhoneProblem.NOT_A_NUMBER),
    ("+1 202 555 0143", validators.PhoneProblem.NOT_CHINESE),
])
def test_a_short_number_a_hotline_or_a_local_number_without_area_code_is_no_personal_phone(raw, problem):
    assert validators.normalize_phone(raw) is None
    assert validators.phone_problem(raw) == problem


@pytest.mark.parametrize("raw", ["12345", "12348", "95598"])
def test_an_organisation_keeps_a_service_hotline_in_a_field_of_its_own(raw):
    assert validators.normalize_hotline(raw) == raw
    assert validators.normalize_hotline("13800") is None and validators.normalize_hotline("0839-3261234") is None
