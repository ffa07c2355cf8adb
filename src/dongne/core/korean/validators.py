"""Validators for Korean registration numbers and phone numbers.

Each ``validate_*`` returns the normalised value or raises ``ValueError`` with a message that
says what is wrong (the callers turn it into a field error).
"""

import re

from django.utils.translation import gettext as _

_NON_DIGIT = re.compile(r"\D")


def _digits(value):
    return _NON_DIGIT.sub("", str(value or ""))


def business_number_check_digit(first9):
    """Check digit of 사업자등록번호 (National Tax Service weights 1,3,7,1,3,7,1,3,5)."""
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    digits = [int(c) for c in first9]
    total = sum(d * w for d, w in zip(digits, weights, strict=True)) + (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def validate_business_number(value):
    """사업자등록번호: 10 digits (123-45-67890), the last a check digit. Returns '123-45-67890'."""
    digits = _digits(value)
    if len(digits) != 10:
        raise ValueError(_("A business registration number has 10 digits (e.g. 123-45-67890)."))
    if business_number_check_digit(digits[:9]) != int(digits[9]):
        raise ValueError(
            _("This business registration number's check digit is wrong; please check the number.")
        )
    return format_business_number(digits)


def format_business_number(digits):
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def corporate_number_check_digit(first12):
    """Check digit of 법인등록번호: weights alternate 1,2 over 12 digits."""
    total = sum(int(c) * (1 if i % 2 == 0 else 2) for i, c in enumerate(first12))
    return (10 - total % 10) % 10


def validate_corporate_number(value):
    """법인등록번호: 13 digits (110111-1234567), the last a check digit. Returns '110111-1234567'."""
    digits = _digits(value)
    if len(digits) != 13:
        raise ValueError(_("A corporate registration number has 13 digits (e.g. 110111-1234567)."))
    if corporate_number_check_digit(digits[:12]) != int(digits[12]):
        raise ValueError(
            _("This corporate registration number's check digit is wrong; please check the number.")
        )
    return format_corporate_number(digits)


def format_corporate_number(digits):
    return f"{digits[:6]}-{digits[6:]}"


_AREA_CODES = (
    "031",
    "032",
    "033",
    "041",
    "042",
    "043",
    "044",
    "051",
    "052",
    "053",
    "054",
    "055",
    "061",
    "062",
    "063",
    "064",
)


def normalize_phone(value):
    """Return the hyphenated form of a Korean phone number, or raise ValueError."""
    raw = str(value or "").strip()
    if raw.startswith("+82"):
        raw = "0" + raw[3:].lstrip(" -")
    digits = _digits(raw)
    error = ValueError(_("Enter a Korean phone number such as 010-1234-5678 or 033-123-4567."))
    if digits.startswith("02"):
        if len(digits) not in (9, 10):
            raise error
        return f"02-{digits[2:-4]}-{digits[-4:]}"
    if digits[:3] in ("010",) and len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if digits[:3] in ("011", "016", "017", "018", "019") and len(digits) in (10, 11):
        return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"
    if (digits[:3] in _AREA_CODES or digits[:3] == "070") and len(digits) in (10, 11):
        return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"
    if digits[:3] == "050" and len(digits) in (11, 12):
        # Personal and safe numbers have a 4-digit prefix: 0505-123-4567, 0504-1234-5678.
        return f"{digits[:4]}-{digits[4:-4]}-{digits[-4:]}"
    if digits[:2] in ("15", "16", "18") and len(digits) == 8:
        return f"{digits[:4]}-{digits[4:]}"
    raise error


def validate_phone(value):
    return normalize_phone(value)
