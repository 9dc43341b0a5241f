"""Masking personal data for overviews: lists, ledger screens and exports meant for overview show
``510802********1234`` and ``138****5678``; full values only on the case detail, and each such view
is logged by the services."""

from __future__ import annotations

import re


def mask_id_number(value: str | None) -> str:
    """Keeps the first 6 (the region) and last 4 characters: 510802********1234."""
    value = (value or "").strip()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678 for a mobile; 0839-****234 for a fixed line (area code and last 3 kept)."""
    value = (value or "").strip()
    digits = value.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    if "-" in value:
        area, _, number = value.partition("-")
        return f"{area}-{'*' * max(len(number) - 3, 0)}{number[-3:]}"
    if len(value) <= 4:
        return value
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def mask_name(value: str | None) -> str:
    """张* / 欧阳** : the surname stays (used where even names are not for overview)."""
    value = (value or "").strip()
    return value[:1] + "*" * (len(value) - 1) if value else ""


#: an 18-character resident ID number (17 digits and a check digit or X) standing alone
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
#: an 11-digit mainland mobile number standing alone (1, then 3–9, then 9 digits)
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_personal_numbers(text: str) -> str:
    """``text`` with every ID number and mobile number in it masked as the pages mask them (the safety net
    of the logs: whatever a record says, from our code or a library's)."""
    if not text:
        return text
    masked = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), masked)

class AccessKind:
    """What the access log says was seen (``CaseAccessLog.kind``)."""

    PAGE = "page"  # the case page with full data
    API = "api"  # the case's detail in the REST API with full data
    NOTICE = "notice"  # a printed notice (it carries the applicant's phone and ID number)
    SCAN = "scan"  # the scan of a received material
    RESULT = "result"  # a result document
    ARCHIVE = "archive"  # the archive package
    EXPORT = "export"  # ledger rows exported with full phones
    SEARCH = "search"  # a search by ID number or phone (no case; the column and a mask in ``detail``)
    DISCLOSURE = "disclosure"  # 查看个人信息: a supervisor's logged request, with its reason
    MESSAGE = "message"  # the attachment of a message of the case conversation
    #: an audit export (issue 14): the history and this log of one case (its id) or of a period (no case; the
    #: period and scope in ``detail``)
    AUDIT = "audit"

    FULL_VIEWS = (PAGE, API, NOTICE, SCAN, RESULT, ARCHIVE, EXPORT, MESSAGE)


#: the case columns holding identity numbers or phones, and their masks: what lists show, what a
#: search by them logs, and the columns whose filters only full viewers may use
PERSONAL_DATA_MASKS = {"applicant_id_number": mask_id_number, "applicant_phone": mask_phone,
                       "mail_phone": mask_phone}
