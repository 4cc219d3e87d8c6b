"""The periods a score is computed over: a month, a quarter or a year, written ``2026-11``,
``2026-Q4`` or ``2026`` in the address. Start inclusive, end exclusive, Asia/Shanghai days."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "quarter" | "year"
    key: str  # as in the address
    start: dt.date
    end: dt.date  # exclusive

    @property
    def label(self) -> str:
        y = self.start.year
        if self.kind == "month":
            return _("%(year)s-%(month)s") % {"year": y, "month": f"{self.start.month:02d}"}
        if self.kind == "quarter":
            return _("Q%(quarter)d %(year)d") % {"quarter": (self.start.month - 1) // 3 + 1, "year": y}
        return _("Year %(year)d") % {"year": y}

    def last_day(self, today: dt.date | None = None) -> dt.date:
        """The last day measured: the period's last day, or today while the period runs."""
        today = today or timezone.localdate()
        return min(self.end - dt.timedelta(days=1), today)

    def to_date(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.start <= today < self.end


def _next_month(day: dt.date, months: int = 1) -> dt.date:
    m = day.month - 1 + months
    return dt.date(day.year + m // 12, m % 12 + 1, 1)


def month(year: int, mon: int) -> Period:
    start = dt.date(year, mon, 1)
    return Period("month", f"{year}-{mon:02d}", start, _next_month(start))


def quarter(year: int, q: int) -> Period:
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    return Period("quarter", f"{year}-Q{q}", start, _next_month(start, 3))


def year(y: int) -> Period:
    return Period("year", str(y), dt.date(y, 1, 1), dt.date(y + 1, 1, 1))


def current(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    return month(today.year, today.month)


def parse(value: str | None, today: dt.date | None = None) -> Period:
    """The period named by ``value``; the current month when it is empty or not understood."""
    value = (value or "").strip()
    try:
        if m := _MONTH.match(value):
            return month(int(m[1]), int(m[2]))
        if m := _QUARTER.match(value):
            return quarter(int(m[1]), int(m[2]))
        if m := _YEAR.match(value):
            return year(int(m[1]))
    except ValueError:
        pass
    return current(today)


def choices(today: dt.date | None = None) -> list[tuple[str, list[Period]]]:
    """What the period picker offers: the last twelve months, the last five quarters, the last
    three years, newest first."""
    today = today or timezone.localdate()
    months, start = [], dt.date(today.year, today.month, 1)
    for i in range(12):
        months.append(month(*_shift(start, -i)))
    q = (today.month - 1) // 3 + 1
    quarters = []
    for i in range(5):
        qi = (q - 1 - i) % 4 + 1
        yi = today.year + (q - 1 - i) // 4
        quarters.append(quarter(yi, qi))
    years = [year(today.year - i) for i in range(3)]
    return [
        (pgettext("assessment", "Month"), months),
        (pgettext("assessment", "Quarter"), quarters),
        (pgettext("assessment", "Year"), years),
    ]


def _shift(first: dt.date, months: int) -> tuple[int, int]:
    m = first.month - 1 + months
    return first.year + m // 12, m % 12 + 1
