"""The hazards' part of a risk point's control status (``risks.control.register_signals``): open,
late (overdue or major) and recent hazards per point, in one query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from shuangfang.core.vocabulary import HazardGrade
from shuangfang.risks.control import since_recurrence

from .choices import OPEN_STATUSES, Status
from .models import Hazard


def risk_signals(point_ids: list[int], now: dt.datetime) -> dict[int, dict[str, Any]]:
    today = timezone.localdate(now)
    is_open = Q(status__in=OPEN_STATUSES)
    rows = (
        Hazard.objects.filter(risk_point_id__in=point_ids)
        .order_by()
        .values("risk_point_id")
        .annotate(
            open_hazards=Count("id", filter=is_open),
            late_hazards=Count("id", filter=is_open & (Q(deadline__lt=today) | Q(grade=HazardGrade.MAJOR))),
            recent_hazards=Count(
                "id",
                filter=Q(reported_at__gte=since_recurrence(now))
                & ~Q(status__in=[Status.REJECTED, Status.DUPLICATE]),
            ),
        )
    )
    return {
        r["risk_point_id"]: {
            "open_hazards": r["open_hazards"],
            "late_hazards": r["late_hazards"],
            "recent_hazards": r["recent_hazards"],
        }
        for r in rows
    }
