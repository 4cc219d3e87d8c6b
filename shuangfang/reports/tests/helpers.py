"""Test helpers: records with chosen dates (made directly, fast), and a stored report without the
typesetting (for tests about access, not about the files)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from zoneinfo import ZoneInfo

from django.utils import timezone

from shuangfang.hazards.models import Hazard, HazardEvent
from shuangfang.inspections.models import Task
from shuangfang.monitoring.models import Alarm, Device
from shuangfang.reports import content
from shuangfang.reports.models import Report
from shuangfang.reports.periods import ReportPeriod, last_ended

SHANGHAI = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def at(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> dt.datetime:
    """An aware moment, given in Asia/Shanghai wall-clock time."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def hazard(inst, reported_at: dt.datetime, *, acceptor=None, closed_at=None, **fields) -> Hazard:
    k = next(_seq)
    status = fields.pop("status", "closed" if closed_at else "rectifying")
    return Hazard.objects.create(
        organization=inst,
        number=f"YH-T{k:05d}",
        title=fields.pop("title", f"隐患{k}"),
        description="x",
        reported_at=reported_at,
        status=status,
        closed_at=closed_at,
        accepted_by=acceptor if status == "closed" else None,
        **fields,
    )


def supervise(h: Hazard, at_: dt.datetime) -> HazardEvent:
    Hazard.objects.filter(pk=h.pk).update(supervised=True)
    return HazardEvent.objects.create(hazard=h, action="supervise", created_at=at_)


def task(inst, start: dt.datetime, status: str, post=None) -> Task:
    return Task.objects.create(
        organization=inst,
        place_key=str(uuid.uuid4()),
        window_start=start,
        window_end=start + dt.timedelta(hours=2),
        status=status,
        assignee_kind="post" if post else "role",
        assignee_post=post,
    )


def alarm(inst, opened_at: dt.datetime, severity: str = "warning", alarm_type: str = "smoke") -> Alarm:
    k = next(_seq)
    device = Device.objects.create(
        organization=inst, kind="smoke", code=f"RPT-{k}", name=f"烟感{k}", token_hash=uuid.uuid4().hex
    )
    return Alarm.objects.create(
        organization=inst,
        device=device,
        alarm_type=alarm_type,
        category="alarm",
        severity=severity,
        status="cleared",
        opened_at=opened_at,
        last_seen_at=opened_at,
    )


def stored_report(org, period: ReportPeriod | None = None) -> Report:
    """A report row with real figures and placeholder files (no typesetting): for access tests."""
    period = period or last_ended("monthly", timezone.localdate())
    return Report.objects.create(
        organization=org,
        kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        generated_at=timezone.now(),
        figures=content.build(org, period),
        pdf=b"%PDF-1.7 placeholder",
        xlsx=b"PK placeholder",
    )
