"""Masking personal data for overviews."""

from app.domain.privacy import mask_id_number, mask_name, mask_phone


def test_resident_id_keeps_region_and_last_four():
    assert mask_id_number("510802199001011234") == "510802********1234"


def test_credit_code_is_masked_the_same_way():
    assert mask_id_number("91110000600037341L") == "911100********341L"


def test_mobile_keeps_three_and_four():
    assert mask_phone("13856785678") == "138****5678"


def test_fixed_line_keeps_area_code_and_last_three():
    assert mask_phone("0839-3261234") == "0839-****234"


def test_short_values_are_hidden_entirely():
    assert mask_id_number("12345") == "*****"


def test_names_keep_the_surname():
    assert mask_name("李晓梅") == "李**"
