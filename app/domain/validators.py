"""Checks on values people type: phones, hotlines, postcodes, e-mail, resident ID and credit code checksums.

Pure functions (no Flask): each answers whether a value is acceptable, or gives its normal form, or says
why it is not (``phone_problem``). The services turn that into a message in the reader's language.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Any

import phonenumbers
from stdnum.cn import ric, uscc

POSTCODE = re.compile(r"^\d{6}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CENTER_CODE = re.compile(r"^[A-Z0-9]{2,16}$")
#: a service number an organisation may publish besides its phone: 12345, 12348, 95598, 400/800 numbers
HOTLINE = re.compile(r"^(?:1[0-2]\d{1,4}|9\d{4,5}|[48]00\d{7})$")
#: put aside before judging a number's digits: spaces, hyphens, brackets
PHONE_PUNCTUATION = re.compile(r"[\s\-()（）]")
PERSONAL_PHONE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


class PhoneProblem(StrEnum):
    """Why a value is no personal phone (a mobile, or a fixed line with its area code)."""

    NOT_A_NUMBER = "not_a_number"
    NOT_CHINESE = "not_chinese"
    SERVICE_NUMBER = "service_number"  # 12345, 95598, 400 …: an organisation's hotline, nobody's own phone
    NO_AREA_CODE = "no_area_code"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_ASSIGNED = "not_assigned"  # the right length, but no mobile or fixed-line number of China


def is_postcode(value: str) -> bool:
    return bool(POSTCODE.match(value or ""))


def is_email(value: str) -> bool:
    return bool(EMAIL.match(value or "")) and len(value) <= 320


def is_center_code(value: str) -> bool:
    return bool(CENTER_CODE.match(value or ""))


def _digits(raw: str) -> str:
    compact = PHONE_PUNCTUATION.sub("", raw)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            return compact[len(prefix):]
    return compact


def _parsed(raw: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        return None


def phone_problem(value: str) -> PhoneProblem | None:
    """None when ``value`` is a Chinese mobile or a fixed line with its area code (what may be printed on a
    notice and texted), else why not. Service hotlines (12345) are refused: they belong to organisations
    (``normalize_hotline``), never to an applicant or a recipient."""
    raw = (value or "").strip()
    number = _parsed(raw)
    digits = _digits(raw)
    if number is None or not digits.lstrip("+").isdigit():
        return PhoneProblem.NOT_A_NUMBER
    if number.country_code != 86:
        return PhoneProblem.NOT_CHINESE
    if phonenumbers.is_valid_number(number):
        if phonenumbers.number_type(number) in PERSONAL_PHONE_TYPES:
            return None
        return PhoneProblem.SERVICE_NUMBER
    return _length_problem(digits)


def _length_problem(digits: str) -> PhoneProblem:
    """Why a number that China's numbering plan does not know fails, judged by how it starts."""
    if re.match(r"^1[3-9]", digits):  # a mobile: 11 digits
        if len(digits) != 11:
            return PhoneProblem.TOO_SHORT if len(digits) < 11 else PhoneProblem.TOO_LONG
        return PhoneProblem.NOT_ASSIGNED
    if HOTLINE.match(digits):
        return PhoneProblem.SERVICE_NUMBER
    if digits.startswith("0"):  # an area code (3 or 4 digits) and a number of 7 or 8
        if len(digits) < 10:
            return PhoneProblem.TOO_SHORT
        return PhoneProblem.TOO_LONG if len(digits) > 12 else PhoneProblem.NOT_ASSIGNED
    if 7 <= len(digits) <= 8:
        return PhoneProblem.NO_AREA_CODE
    return PhoneProblem.TOO_SHORT if len(digits) < 7 else PhoneProblem.NOT_ASSIGNED


def normalize_phone(value: str) -> str | None:
    """A valid Chinese mobile or fixed-line number in a normal form, or None (``phone_problem`` says why).

    Mobiles come back as 11 digits (13800138000), fixed lines as area code, hyphen, number
    (0839-3261234). A hotline such as 12345 is nobody's phone: None.
    """
    if phone_problem(value) is not None:
        return None
    number = phonenumbers.parse(value.strip(), "CN")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = re.sub(r"\D", "", national)
    if len(digits) == 11 and digits.startswith("1"):
        return digits
    area, _, rest = national.partition(" ")
    subscriber = re.sub(r"\D", "", rest)
    return f"{area}-{subscriber}" if subscriber else digits


def is_phone(value: str) -> bool:
    return normalize_phone(value) is not None


def normalize_hotline(value: str) -> str | None:
    """An organisation's service hotline (12345, 95598, 4008123123) as its digits, or None."""
    digits = PHONE_PUNCTUATION.sub("", (value or "").strip())
    return digits if HOTLINE.match(digits) else None


def is_resident_id(value: str) -> bool:
    return ric.is_valid(value or "")


def is_uscc(value: str) -> bool:
    return uscc.is_valid(value or "")


def parse_date(value: Any) -> date | None:
    """A date typed as YYYY-MM-DD (or already a date); None when nothing was given; ValueError for what is no
    date. Every form and API body that takes a day reads it through here."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(value) from None
