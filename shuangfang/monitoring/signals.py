"""Monitoring's part of a risk point's control status and monitoring method
(``risks.control.register_signals``): active and recent alarms of the point's devices, and the kinds
of devices watching it; two queries for any number of points."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from shuangfang.risks.control import since_recurrence

from .choices import ACTIVE_STATUSES, Category, DeviceKind
from .models import Alarm, Device


def risk_signals(point_ids: list[int], now: dt.datetime) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    alarms = (
        Alarm.objects.filter(device__risk_point_id__in=point_ids)
        .exclude(category=Category.OFFLINE)  # a silent device says nothing about the risk itself
        .order_by()
        .values("device__risk_point_id")
        .annotate(
            active_alarms=Count("id", filter=Q(status__in=ACTIVE_STATUSES)),
            recent_alarms=Count(
                "id", filter=Q(opened_at__gte=since_recurrence(now), category=Category.ALARM)
            ),
        )
    )
    for row in alarms:
        out[row["device__risk_point_id"]] = {
            "active_alarms": row["active_alarms"],
            "recent_alarms": row["recent_alarms"],
        }
    kinds = (
        Device.objects.filter(risk_point_id__in=point_ids, is_active=True)
        .order_by("kind")
        .values_list("risk_point_id", "kind")
        .distinct()
    )
    for pk, kind in kinds:
        label = _("Online monitoring: %(kind)s") % {"kind": DeviceKind(kind).label}
        out.setdefault(pk, {}).setdefault("methods", []).append(label)
    return out
