"""补充信息 (issue 15 item 3): definitions and values of a matter's extra fields, checked in pure code."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.domain.form_fields import (
    KINDS,
    FieldDefinition,
    definition_problems,
    definitions_of,
    list_problems,
    one_line,
    parse_choices,
    rows,
    validate,
)

ADDRESS = FieldDefinition(key="move_to", label="迁入地址", kind="address", seq=1, required=True, max_length=100)
EMPLOYER = FieldDefinition(key="last_employer", label="最后就业单位", kind="text", seq=2, min_length=2)
MONTHS = FieldDefinition(key="months", label="缴费月数", kind="number", seq=3, min_value=1, max_value=600)
MOVED = FieldDefinition(key="moved_on", label="迁出日期", kind="date", seq=4)
REASON = FieldDefinition(key="reason", label="迁移原因", kind="choice", seq=5, choices=("投靠", "务工", "婚迁"))
LOCAL = FieldDefinition(key="local", label="是否本地户籍", kind="yes_no", seq=6)
SPOUSE_ID = FieldDefinition(key="spouse_id", label="配偶身份证号", kind="id_number", seq=7)
CONTACT = FieldDefinition(key="contact", label="紧急联系电话", kind="phone", seq=8)
ALL = [ADDRESS, EMPLOYER, MONTHS, MOVED, REASON, LOCAL, SPOUSE_ID, CONTACT]


def codes(problems):
    return sorted((p.where, p.code) for p in problems)


def test_good_values_come_back_in_their_normal_form():
    values, problems = validate(ALL, {
        "move_to": " 四川省广元市利州区嘉陵路1号 ", "last_employer": "广元某公司", "months": "36",
        "moved_on": "2026-03-02", "reason": "务工", "local": "否", "spouse_id": "11010519491231002x",
        "contact": "139 0812 1234"})
    assert problems == []
    assert values == {"move_to": "四川省广元市利州区嘉陵路1号", "last_employer": "广元某公司", "months": 36,
                      "moved_on": "2026-03-02", "reason": "务工", "local": False,
                      "spouse_id": "11010519491231002X", "contact": "13908121234"}


def test_every_problem_comes_at_once():
    values, problems = validate(ALL, {
        "move_to": "", "last_employer": "甲", "months": "0", "moved_on": "2026-02-30", "reason": "旅游",
        "local": "也许", "spouse_id": "110105194912310021", "contact": "12345", "colour": "red"})
    assert codes(problems) == [
        ("colour", "unknown_field"), ("contact", "bad_phone"), ("last_employer", "too_short"),
        ("local", "not_yes_no"), ("months", "too_small"), ("move_to", "required"), ("moved_on", "not_date"),
        ("reason", "not_choice"), ("spouse_id", "bad_id_number")]
    assert values == {}


def test_optional_blank_fields_are_left_out_and_a_non_object_is_refused():
    assert validate(ALL[1:], {"months": "  "}) == ({}, [])
    assert codes(validate(ALL, ["x"])[1]) == [("", "not_an_object")]
    assert codes(validate([ADDRESS], None)[1]) == [("move_to", "required")]


def test_bad_definitions_report_every_problem():
    bad = FieldDefinition(key="Bad Key", label="", kind="choice", min_length=5, max_length=2, min_value=3,
                          max_value=1, pattern="(")
    assert codes(definition_problems(bad)) == [
        ("choices", "no_choices"), ("key", "bad_key"), ("label", "no_label"), ("max_length", "min_over_max"),
        ("max_value", "min_over_max"), ("min_value", "values_for_numbers"), ("pattern", "pattern_for_text")]
    twice = [ADDRESS, FieldDefinition(key="move_to", label="又一个", kind="text", seq=1)]
    assert ("move_to.key", "duplicate_key") in codes(list_problems(twice))
    assert ("move_to.seq", "duplicate_seq") in codes(list_problems(twice))
    assert list_problems(ALL) == []


def test_definitions_round_trip_through_a_guide_and_print_in_order():
    content = {"fields": [d.as_content() for d in reversed(ALL)]}
    assert definitions_of(content) == ALL
    assert definitions_of({}) == []
    values = {"move_to": "利州区嘉陵路1号", "local": True, "months": 12.0, "contact": "13908121234"}
    assert rows(ALL, values) == [("迁入地址", "利州区嘉陵路1号"), ("缴费月数", "12"), ("是否本地户籍", "是"),
                                 ("紧急联系电话", "13908121234")]
    assert one_line(ALL, values, masked=True) == "迁入地址：利州区嘉陵路1号；缴费月数：12；是否本地户籍：是；紧急联系电话：139****1234"


def test_choices_are_typed_one_a_line():
    assert parse_choices("投靠\n务工\r\n\n务工、婚迁") == ("投靠", "务工", "婚迁")


@given(kind=st.sampled_from(KINDS), raw=st.one_of(st.text(max_size=60), st.integers(), st.floats(), st.booleans(),
                                                   st.none(), st.lists(st.integers(), max_size=2)))
def test_any_value_is_either_accepted_in_normal_form_or_refused_with_a_problem(kind, raw):
    definition = FieldDefinition(key="x", label="某项", kind=kind, required=True, choices=("甲", "乙") if kind == "choice" else ())
    values, problems = validate([definition], {"x": raw})
    assert bool(values) != bool(problems)
    if values:  # the normal form is itself accepted, unchanged (stored values check again after a round trip)
        assert validate([definition], values) == (values, [])
