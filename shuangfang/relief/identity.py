"""Identity checks and masking. GB 11643-1999: the 18th character of a resident ID number is an
ISO 7064 MOD 11-2 check character over the first 17 digits; digits 7–14 are the date of birth."""

from __future__ import annotations

import datetime as dt
import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
SHAPE = re.compile(r"^\d{17}[\dX]$")


def normalise(number: str) -> str:
    return (number or "").strip().upper().replace(" ", "")


def check_char(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def well_formed(number: str) -> bool:
    return bool(SHAPE.match(number))


def check_digit_ok(number: str) -> bool:
    return well_formed(number) and check_char(number[:17]) == number[17]


def birth_date(number: str) -> dt.date | None:
    """The date of birth written in an 18-character number, or None when it is not a date."""
    if not well_formed(number):
        return None
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def mask_id(number: str) -> str:
    """Default display: the first three and the last two characters."""
    if not number:
        return ""
    if len(number) <= 5:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 5)}{number[-2:]}"


def mask_phone(phone: str) -> str:
    digits = phone or ""
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def age_on(born: dt.date | None, day: dt.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
