"""Parsers for dates and amounts as Korean users and Korean public files write them."""

import datetime as dt
import math
import re
from decimal import Decimal

from django.utils.translation import gettext as _

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),  # 20240501
    re.compile(r"^(\d{4})\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{1,2})\s*\.?$"),  # 2024.05.01 / 2024. 5. 1.
    re.compile(r"^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일?$"),  # 2024년 5월 1일
    re.compile(r"^(\d{2})\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{1,2})\s*\.?$"),  # 24.05.01
]


def parse_korean_date(value):
    """Parse "2024.05.01", "20240501", "2024-05-01", "2024. 5. 1.", "2024년 5월 1일" (and a
    trailing time, which is ignored). Returns ``datetime.date``; raises ValueError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    # Drop a time part such as "2024-05-01 13:00:00" or "2024-05-01T13:00".
    text = re.split(r"[T ](?=\d{1,2}:\d{2})", text, maxsplit=1)[0].strip()
    for number, pattern in enumerate(_DATE_PATTERNS):
        match = pattern.match(text)
        if not match:
            continue
        year, month, day = (int(g) for g in match.groups())
        if number == 3:
            year += 2000 if year < 70 else 1900
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise ValueError(_("%(value)s is not a real date.") % {"value": value})
    raise ValueError(
        _("Write dates as 2024.05.01, 2024-05-01 or 20240501 (got %(value)s).") % {"value": value}
    )


_UNITS = {"조": 10**12, "억": 10**8, "만": 10**4, "천": 10**3, "백": 10**2}
_AMOUNT_RE = re.compile(r"^\d+(\.\d+)?$")  # the sign is taken off before


def parse_amount(value):
    """Parse KRW amounts: "1,234,000원", "₩1,234,000", "1234000", "123만원", "1억 2천만원",
    "1.5억". Returns ``int`` (won); raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(_("Enter an amount such as 1,234,000원."))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):  # NaN or infinity, as a JSON feed can carry
            raise ValueError(_("Enter an amount such as 1,234,000원."))
        if value != int(value):
            raise ValueError(_("An amount in won has no fraction (got %(value)s).") % {"value": value})
        return int(value)
    text = str(value or "").strip().replace(",", "").replace(" ", "").replace("₩", "").replace("KRW", "")
    if text.endswith("원"):
        text = text[:-1]
    negative = text.startswith("-")
    if text[:1] in ("+", "-"):
        text = text[1:]  # one sign only: "--1000" is a typo, not an amount
    if not text:
        raise ValueError(_("Enter an amount such as 1,234,000원."))
    if _AMOUNT_RE.match(text):
        number = Decimal(text)  # Decimal, not float: 1.1억 must be exactly 110,000,000
        if number != int(number):
            raise ValueError(_("An amount in won has no fraction (got %(value)s).") % {"value": value})
        return -int(number) if negative else int(number)
    # Korean units: "1억2천만" = 1*10^8 + 2*10^3*10^4. Big units (조 억 만) close a group;
    # small units (천 백) multiply within the group. Units run from large to small ("5만3억",
    # "1억억" and "1천2천" are typos, not sums).
    garbage = ValueError(_("%(value)s is not an amount; write it as 1,234,000원.") % {"value": value})
    total = Decimal(0)
    group = Decimal(0)
    pos = 0
    last_big = last_small = None
    for match in re.finditer(r"(\d+(?:\.\d+)?)?([조억만천백])|(\d+(?:\.\d+)?)$", text):
        if match.start() != pos:
            raise garbage
        pos = match.end()
        number_text, unit, tail = match.groups()
        if tail is not None:
            group += Decimal(tail)
            continue
        number = Decimal(number_text) if number_text else Decimal(1)
        if unit in ("천", "백"):
            if last_small is not None and _UNITS[unit] >= last_small:
                raise garbage
            last_small = _UNITS[unit]
            group += number * _UNITS[unit]
        else:
            if last_big is not None and _UNITS[unit] >= last_big:
                raise garbage
            last_big, last_small = _UNITS[unit], None
            total += (group + (number if number_text else (0 if group else 1))) * _UNITS[unit]
            group = Decimal(0)
    if pos != len(text):
        raise garbage
    total += group
    if total != int(total):
        raise ValueError(_("An amount in won has no fraction (got %(value)s).") % {"value": value})
    return -int(total) if negative else int(total)
