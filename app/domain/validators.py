"""Checks on values people type: phones, postcodes, e-mail, resident ID and credit code checksums.

Pure functions (no Flask): each answers whether a value is acceptable, or gives its normal form.
The services turn a ``False``/``None`` into a message in the reader's language.
"""

from __future__ import annotations

import re

import phonenumbers
from stdnum.cn import ric, uscc

POSTCODE = re.compile(r"^\d{6}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CENTER_CODE = re.compile(r"^[A-Z0-9]{2,16}$")
HOTLINE = re.compile(r"^\d{5,6}$")  # 12345, 12348 …


def is_postcode(value: str) -> bool:
    return bool(POSTCODE.match(value or ""))


def is_email(value: str) -> bool:
    return bool(EMAIL.match(value or "")) and len(value) <= 320


def is_center_code(value: str) -> bool:
    return bool(CENTER_CODE.match(value or ""))


def normalize_phone(value: str) -> str | None:
    """A valid Chinese mobile or fixed-line number in a normal form, or None.

    Mobiles come back as 11 digits (13800138000), fixed lines as area code, hyphen, number
    (0839-3261234); service hotlines such as 12345 are kept as they are.
    """
    raw = (value or "").strip()
    if HOTLINE.match(raw):
        return raw
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or number.country_code != 86:
        return None
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = re.sub(r"\D", "", national)
    if phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ) and len(digits) == 11 and digits.startswith("1"):
        return digits
    area, _, rest = national.partition(" ")
    subscriber = re.sub(r"\D", "", rest)
    return f"{area}-{subscriber}" if subscriber else digits


def is_phone(value: str) -> bool:
    return normalize_phone(value) is not None


def is_resident_id(value: str) -> bool:
    return ric.is_valid(value or "")


def is_uscc(value: str) -> bool:
    return uscc.is_valid(value or "")
