"""Inspections' part of a risk point's control status and monitoring method
(``risks.control.register_signals``): checks of the point missed lately, and how often its plans
inspect it; two queries for any number of points."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from shuangfang.risks.control import since_missed

from .choices import Frequency, TaskStatus
from .models import Plan, Task


def risk_signals(point_ids: list[int], now: dt.datetime) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    missed = (
        Task.objects.filter(
            checkpoint__risk_point_id__in=point_ids,
            status=TaskStatus.MISSED,
            window_end__gte=since_missed(now),
            window_end__lte=now,
        )
        .order_by()
        .values("checkpoint__risk_point_id")
        .annotate(missed_checks=Count("id"))
    )
    for row in missed:
        out[row["checkpoint__risk_point_id"]] = {"missed_checks": row["missed_checks"]}
    plans = (
        Plan.objects.filter(checkpoints__risk_point_id__in=point_ids, is_active=True)
        .order_by("frequency")
        .values_list("checkpoints__risk_point_id", "frequency")
        .distinct()
    )
    for pk, frequency in plans:
        label = _("Inspection: %(how)s") % {"how": Frequency(frequency).label}
        out.setdefault(pk, {}).setdefault("methods", []).append(label)
    return out
