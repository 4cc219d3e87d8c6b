"""Hazard counts per institution and month (:class:`~.models.HazardMonth`), moved by every report
and every workflow move in the same transaction (see :mod:`shuangfang.core.counters`).

One hazard's share: ``reported`` and ``still_open`` in the month it was reported (unless rejected
or a duplicate; ``still_open`` while open), ``closed`` and ``closed_on_time`` in the month it was
closed. Months are calendar months in the project's time zone (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from shuangfang.core.counters import Counter, Counts, merge

from .choices import OPEN_STATUSES, Status

NOT_COUNTED = (Status.REJECTED, Status.DUPLICATE)


def month_of(value: dt.datetime) -> dt.date:
    return timezone.localtime(value, timezone.get_default_timezone()).date().replace(day=1)


def share(h) -> Counts:
    inst = h.organization.institution_id
    out: Counts = {}
    if h.status not in NOT_COUNTED:
        out[(inst, month_of(h.reported_at))] = {"reported": 1, "still_open": int(h.status in OPEN_STATUSES)}
    if h.status == Status.CLOSED:
        closed = {"closed": 1, "closed_on_time": int(bool(h.closed_on_time))}
        out = merge(out, {(inst, month_of(h.closed_at or h.reported_at)): closed})
    return out


def counter(hazard_model=None, month_model=None) -> Counter:
    """The counter over the given models (the migration passes its historical ones)."""
    if hazard_model is None or month_model is None:
        from .models import Hazard, HazardMonth

        hazard_model, month_model = Hazard, HazardMonth

    def expected() -> Counts:
        tz = timezone.get_default_timezone()
        inst = "organization__institution_id"
        counted = hazard_model.objects.exclude(status__in=NOT_COUNTED)
        reported = (
            counted.annotate(m=TruncMonth("reported_at", tzinfo=tz))
            .values(inst, "m")
            .annotate(reported=Count("id"), still_open=Count("id", filter=Q(status__in=OPEN_STATUSES)))
            .order_by()
        )
        closed = (
            hazard_model.objects.filter(status=Status.CLOSED)
            .annotate(m=TruncMonth(Coalesce("closed_at", "reported_at"), tzinfo=tz))
            .values(inst, "m")
            .annotate(closed=Count("id"), closed_on_time=Count("id", filter=Q(closed_on_time=True)))
            .order_by()
        )
        parts = []
        for rows, fields in ((reported, ("reported", "still_open")), (closed, ("closed", "closed_on_time"))):
            parts.append({(r[inst], _as_month(r["m"], tz)): {f: r[f] for f in fields} for r in rows})
        return merge(*parts)

    return Counter(
        model=month_model,
        keys=("organization_id", "month"),
        fields=("reported", "still_open", "closed", "closed_on_time"),
        share=share,
        expected=expected,
    )


def _as_month(value, tz) -> dt.date:
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value, tz) if timezone.is_aware(value) else value).date().replace(day=1)
    return value


HAZARDS = counter()
