"""Report periods: a calendar month or quarter (:class:`shuangfang.core.periods.Period`), written
``2026-10`` or ``2026-Q3`` (the older ``2026Q3`` is still read). A report's kind (monthly,
quarterly) is the period's kind under another name: :func:`report_kind`, :data:`PERIOD_KIND`."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shuangfang.core import periods
from shuangfang.core.periods import Period, PeriodKind

from .choices import Kind

PERIOD_KIND: dict[str, str] = {Kind.MONTHLY: PeriodKind.MONTH, Kind.QUARTERLY: PeriodKind.QUARTER}
REPORT_PERIOD_KINDS = (PeriodKind.MONTH, PeriodKind.QUARTER)


def report_kind(period: Period) -> str:
    """The kind of report (``Kind``) that covers ``period``."""
    return Kind.MONTHLY if period.kind == PeriodKind.MONTH else Kind.QUARTERLY


def of(kind: str, day: dt.date) -> Period:
    """The period of the report ``kind`` that contains ``day``."""
    if kind not in PERIOD_KIND:
        raise ValidationError(_("Unknown kind of report."))
    return periods.of(PERIOD_KIND[kind], day)


def last_ended(kind: str, today: dt.date) -> Period:
    """The period of ``kind`` that ended most recently (on or before ``today``)."""
    return of(kind, today).previous()


def recent(kind: str, today: dt.date, n: int) -> list[Period]:
    """The ``n`` periods of ``kind`` that ended last, newest first."""
    return periods.recent(PERIOD_KIND[kind], last_ended(kind, today), n)


def parse(text: str, today: dt.date | None = None) -> Period:
    """A month or a quarter (:func:`shuangfang.core.periods.parse`). With ``today``, the period must
    have ended: a report covers a whole month or quarter."""
    period = periods.parse(text, REPORT_PERIOD_KINDS)
    if today is not None and not period.has_ended(today):
        raise ValidationError(
            _("The period %(period)s has not ended yet: a report covers a whole month or quarter.")
            % {"period": period.label},
            code="not_ended",
        )
    return period
