"""Report periods: a calendar month or a calendar quarter in Asia/Shanghai, written ``2026-10`` or
``2026Q3``. A :class:`ReportPeriod` is a :class:`shuangfang.hazards.stats.Period` (start, exclusive
end), so the hazard statistics of 16号令 Art. 14 take it as they are."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shuangfang.hazards.stats import Period

from .choices import Kind

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
MIN_YEAR = 2000


@dataclass
class ReportPeriod(Period):
    month: int | None = None

    @property
    def kind(self) -> str:
        return Kind.MONTHLY if self.month else Kind.QUARTERLY

    @property
    def start(self) -> dt.date:
        if self.month:
            return dt.date(self.year, self.month, 1)
        return super().start

    @property
    def end(self) -> dt.date:  # exclusive
        if self.month:
            return dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return super().end

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def code(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        if self.month:
            return _("%(year)d-%(month)02d") % {"year": self.year, "month": self.month}
        return _("%(year)d Q%(quarter)d") % {"year": self.year, "quarter": self.quarter}

    def __str__(self) -> str:
        return self.code

    def previous(self) -> ReportPeriod:
        return of(self.kind, self.start - dt.timedelta(days=1))

    def has_ended(self, today: dt.date) -> bool:
        return self.end <= today


def of(kind: str, day: dt.date) -> ReportPeriod:
    """The period of ``kind`` that contains ``day``."""
    if kind == Kind.MONTHLY:
        return ReportPeriod(day.year, None, day.month)
    if kind == Kind.QUARTERLY:
        return ReportPeriod(day.year, (day.month - 1) // 3 + 1)
    raise ValidationError(_("Unknown kind of report."))


def last_ended(kind: str, today: dt.date) -> ReportPeriod:
    """The period of ``kind`` that ended most recently (on or before ``today``)."""
    return of(kind, today).previous()


def recent(kind: str, today: dt.date, n: int) -> list[ReportPeriod]:
    """The ``n`` periods of ``kind`` that ended last, newest first."""
    out = [last_ended(kind, today)]
    while len(out) < n:
        out.append(out[-1].previous())
    return out


def parse(text: str, today: dt.date | None = None) -> ReportPeriod:
    """``2026-10`` (a month) or ``2026Q3`` (a quarter). With ``today``, the period must have ended:
    a report covers a whole month or quarter."""
    value = (text or "").strip()
    m, q = _MONTH.match(value), _QUARTER.match(value)
    period: ReportPeriod | None = None
    if m and 1 <= int(m[2]) <= 12 and int(m[1]) >= MIN_YEAR:
        period = ReportPeriod(int(m[1]), None, int(m[2]))
    elif q and int(q[1]) >= MIN_YEAR:
        period = ReportPeriod(int(q[1]), int(q[2]))
    if period is None:
        raise ValidationError(
            _("Enter a period as 2026-10 (a month) or 2026Q3 (a quarter), not “%(value)s”.")
            % {"value": value},
            code="malformed",
        )
    if today is not None and not period.has_ended(today):
        raise ValidationError(
            _("The period %(period)s has not ended yet: a report covers a whole month or quarter.")
            % {"period": period.code},
            code="not_ended",
        )
    return period
