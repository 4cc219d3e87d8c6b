"""Periods: a calendar month, quarter or year in Asia/Shanghai days, the one type the assessment
scores, the safety reports, the hazard statistics and the dashboards count over.

One syntax in addresses, forms and the API (``Period.key``): ``2026-11`` (a month), ``2026-Q4``
(a quarter), ``2026`` (a year). :func:`parse` also reads the older spellings still found in
bookmarks and scripts (``2026Q4``, ``2026 q4``, ``2026-1``) and answers with the canonical key.
A value it does not understand is a ``ValidationError`` (code ``malformed``) with a message in the
reader's language: a view answers 400, never silently another period.

``start`` is inclusive, ``end`` exclusive."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy

MIN_YEAR = 2000
MAX_YEAR = 9998  # every period then ends on a valid date

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*[Qq]([1-4])$")  # 2026-Q4; legacy 2026Q4, 2026 q4
_YEAR = re.compile(r"^(\d{4})$")


class PeriodKind(models.TextChoices):
    MONTH = "month", pgettext_lazy("period", "Month")
    QUARTER = "quarter", pgettext_lazy("period", "Quarter")
    YEAR = "year", pgettext_lazy("period", "Year")


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    m = day.month - 1 + months
    return dt.date(day.year + m // 12, m % 12 + 1, 1)


_LENGTH = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


@dataclass(frozen=True)
class Period:
    kind: str  # a PeriodKind value
    start: dt.date

    def __post_init__(self) -> None:
        # A plain string, so that equal periods hash alike whichever way the kind was spelled.
        object.__setattr__(self, "kind", PeriodKind(self.kind).value)

    @property
    def end(self) -> dt.date:  # exclusive
        return _add_months(self.start, _LENGTH[PeriodKind(self.kind)])

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def month(self) -> int:
        return self.start.month

    @property
    def key(self) -> str:
        """The canonical spelling, for addresses, forms and the API."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.month:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{self.quarter}"
        return str(self.year)

    @property
    def label(self) -> str:
        """The period in the reader's language: 2026年11月, 2026年第4季度, 2026年."""
        if self.kind == PeriodKind.MONTH:
            return pgettext("period", "%(year)d-%(month)02d") % {"year": self.year, "month": self.month}
        if self.kind == PeriodKind.QUARTER:
            return pgettext("period", "Q%(quarter)d %(year)d") % {"quarter": self.quarter, "year": self.year}
        return pgettext("period", "Year %(year)d") % {"year": self.year}

    def __str__(self) -> str:
        return self.key

    def previous(self) -> Period:
        return of(self.kind, self.start - dt.timedelta(days=1))

    def has_ended(self, today: dt.date) -> bool:
        return self.end <= today

    def is_running(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.start <= today < self.end

    def measured_until(self, today: dt.date | None = None) -> dt.date:
        """The last day measured: the period's last day, or today while the period runs."""
        return min(self.last_day, today or timezone.localdate())


def month(year: int, mon: int) -> Period:
    return Period(PeriodKind.MONTH, dt.date(year, mon, 1))


def quarter(year: int, q: int) -> Period:
    return Period(PeriodKind.QUARTER, dt.date(year, 3 * (q - 1) + 1, 1))


def year(y: int) -> Period:
    return Period(PeriodKind.YEAR, dt.date(y, 1, 1))


def of(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` that contains ``day``."""
    if kind == PeriodKind.MONTH:
        return month(day.year, day.month)
    if kind == PeriodKind.QUARTER:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if kind == PeriodKind.YEAR:
        return year(day.year)
    raise ValueError(f"unknown period kind {kind!r}")


def current(today: dt.date | None = None, kind: str = PeriodKind.MONTH) -> Period:
    return of(kind, today or timezone.localdate())


def recent(kind: str, first: Period | dt.date, n: int) -> list[Period]:
    """``n`` periods of ``kind``, newest first, the first one containing ``first``."""
    out = [first if isinstance(first, Period) else of(kind, first)]
    while len(out) < n:
        out.append(out[-1].previous())
    return out


def parse(value: str, kinds: tuple[str, ...] = tuple(PeriodKind)) -> Period:
    """The period ``value`` names, of one of ``kinds``; a ``ValidationError`` (code ``malformed``)
    in the reader's language otherwise."""
    text = (value or "").strip()
    found: Period | None = None
    try:
        if m := _MONTH.match(text):
            found = month(int(m[1]), int(m[2]))
        elif m := _QUARTER.match(text):
            found = quarter(int(m[1]), int(m[2]))
        elif m := _YEAR.match(text):
            found = year(int(m[1]))
    except ValueError:  # month 0 or 13
        found = None
    if found is None or found.kind not in kinds or not MIN_YEAR <= found.year <= MAX_YEAR:
        raise ValidationError(malformed_message(text, kinds), code="malformed")
    return found


def parse_or(value: str | None, default: Period, kinds: tuple[str, ...] = tuple(PeriodKind)) -> Period:
    """Like :func:`parse`, ``default`` when ``value`` is empty (not when it is wrong)."""
    if not (value or "").strip():
        return default
    return parse(value or "", kinds)


def malformed_message(value: str, kinds: tuple[str, ...] = tuple(PeriodKind)) -> str:
    examples = {
        PeriodKind.MONTH: pgettext("period", "2026-11 (a month)"),
        PeriodKind.QUARTER: pgettext("period", "2026-Q4 (a quarter)"),
        PeriodKind.YEAR: pgettext("period", "2026 (a year)"),
    }
    return pgettext("period", "Enter a period as %(examples)s, not “%(value)s”.") % {
        "examples": pgettext("period", ", ").join(str(examples[PeriodKind(k)]) for k in kinds),
        "value": value,
    }


def offered(today: dt.date | None = None) -> list[tuple[str, list[Period]]]:
    """What a period picker offers, grouped by kind: the last twelve months, the last five quarters,
    the last three years, newest first (the running ones included)."""
    today = today or timezone.localdate()
    return [
        (str(PeriodKind.MONTH.label), recent(PeriodKind.MONTH, today, 12)),
        (str(PeriodKind.QUARTER.label), recent(PeriodKind.QUARTER, today, 5)),
        (str(PeriodKind.YEAR.label), recent(PeriodKind.YEAR, today, 3)),
    ]
