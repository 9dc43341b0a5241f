"""好差评's fixed vocabulary and rules, without the app."""

from __future__ import annotations

from app.domain import ratings as r


def test_the_five_levels_read_as_the_province_names_them():
    assert r.RATING_LEVELS == {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
    assert [r.opens_rectification(level) for level in (5, 4, 3, 2, 1)] == [False, False, False, True, True]


def test_tags_are_praise_or_complaint_with_unique_codes():
    codes = [tag.code for tag in r.RATING_TAGS]
    assert len(codes) == len(set(codes))
    assert {tag.kind for tag in r.RATING_TAGS} == {r.TagKind.PRAISE, r.TagKind.COMPLAINT}


def test_every_problem_of_a_rating_is_reported_at_once():
    problems = r.rating_problems(7, ["cold", "nonsense"], "字" * (r.COMMENT_MAX_CHARS + 1), delivered=False)
    assert [(field, problem) for field, problem, _ in problems] == [
        ("token", r.RatingProblem.NOT_DELIVERED), ("level", r.RatingProblem.BAD_LEVEL),
        ("tags", r.RatingProblem.UNKNOWN_TAG), ("comment", r.RatingProblem.COMMENT_TOO_LONG)]
    assert problems[2][2] == "nonsense"


def test_a_good_rating_has_no_problem_and_levels_may_come_as_digits():
    assert r.rating_problems("4", ["warm"], "", delivered=True) == []
    assert r.as_level("5") == 5 and r.as_level(True) is None and r.as_level(0) is None and r.as_level("x") is None


def test_tags_are_kept_once_in_the_fixed_order():
    assert r.clean_tags(["slow", "warm", "slow"]) == ["warm", "slow"]


def test_the_satisfaction_rate_leaves_out_excluded_ratings():
    figures = r.satisfaction([(5, False), (4, False), (2, False), (1, True)])
    assert figures.per_level == {5: 1, 4: 1, 3: 0, 2: 1, 1: 0}
    assert (figures.counted, figures.excluded, figures.rate) == (3, 1, 0.6667)
    assert r.satisfaction([]).rate is None
