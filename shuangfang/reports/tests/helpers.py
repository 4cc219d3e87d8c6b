"""Test helpers: records with chosen dates (made directly, fast), and a stored report without the
typesetting (for tests about access, not about the files)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from zoneinfo import ZoneInfo

from django.utils import timezone

from shuangfang.core import audit
from shuangfang.core.models import AuditEntry
from shuangfang.core.periods import Period
from shuangfang.hazards.models import Hazard, HazardEvent
from shuangfang.inspections.tests.factories import closed_task
from shuangfang.monitoring.models import Alarm, Device
from shuangfang.reports import content
from shuangfang.reports.models import Report
from shuangfang.reports.periods import last_ended, report_kind
from shuangfang.reports.queries import REVIEW_ACTION

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


task = closed_task


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


def stored_report(org, period: Period | None = None) -> Report:
    """A report row with real figures and placeholder files (no typesetting): for access tests."""
    period = period or last_ended("monthly", timezone.localdate())
    return Report.objects.create(
        organization=org,
        kind=report_kind(period),
        period_start=period.start,
        period_end=period.end,
        generated_at=timezone.now(),
        figures=content.build(org, period),
        pdf=b"%PDF-1.7 placeholder",
        xlsx=b"PK placeholder",
    )


def review(inst, when: dt.datetime) -> None:
    """A periodic risk review as risks.services.record_review writes it (an audit entry)."""
    entry = audit.record(actor=None, action=REVIEW_ACTION, obj=inst, organization=inst)
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=when)


def period_records(inst, acceptor, post=None) -> None:
    """Records on both sides of October 2026 (Asia/Shanghai) and of the third quarter."""
    hazard(inst, at(2026, 9, 30, 23, 59), grade="general", category="fire", source="snap")
    hazard(
        inst,
        at(2026, 10, 1, 0, 0),
        grade="major",
        category="fire",
        source="routine",
        deadline=dt.date(2026, 10, 20),
    )
    hazard(
        inst,
        at(2026, 10, 31, 23, 30),
        grade="general",
        category="food",
        source="snap",
        department=post.department if post else None,
    )
    hazard(inst, at(2026, 11, 1, 0, 10), grade="major", category="food", source="snap")
    # closed in October, one on time, one late; one reported in September closed in November
    hazard(
        inst,
        at(2026, 10, 3),
        acceptor=acceptor,
        closed_at=at(2026, 10, 8),
        closed_on_time=True,
        grade="general",
        category="security",
        source="sensor",
    )
    hazard(
        inst,
        at(2026, 9, 10),
        acceptor=acceptor,
        closed_at=at(2026, 10, 31, 23, 59),
        closed_on_time=False,
        grade="major",
        category="fire",
        source="bureau",
        deadline=dt.date(2026, 9, 30),
    )
    hazard(
        inst,
        at(2026, 9, 12),
        acceptor=acceptor,
        closed_at=at(2026, 11, 1, 0, 1),
        closed_on_time=False,
        grade="general",
        category="fire",
        source="snap",
        deadline=dt.date(2026, 10, 15),
    )
    # rejected: never counts
    hazard(inst, at(2026, 10, 12), status="rejected")
    sup = hazard(
        inst,
        at(2026, 8, 1),
        grade="major",
        category="utilities",
        source="expert",
        deadline=dt.date(2026, 12, 1),
    )
    supervise(sup, at(2026, 10, 5, 9))
    late = hazard(
        inst,
        at(2026, 8, 2),
        grade="major",
        category="utilities",
        source="expert",
        deadline=dt.date(2026, 10, 30),
    )
    supervise(late, at(2026, 11, 2, 9))  # after the end: not supervised at the end of October
    for start, status in (
        (at(2026, 9, 30, 23, 0), "done"),
        (at(2026, 10, 1, 8), "done"),
        (at(2026, 10, 15, 8), "missed"),
        (at(2026, 10, 31, 23, 30), "done"),
        (at(2026, 11, 1, 0, 30), "missed"),
        (at(2026, 10, 20, 8), "open"),
    ):
        task(inst, start, status, post=post)
    alarm(inst, at(2026, 10, 31, 23, 50), severity="critical")
    alarm(inst, at(2026, 10, 2), severity="warning", alarm_type="leakage_current")
    alarm(inst, at(2026, 11, 1, 0, 5), severity="critical")
    review(inst, at(2026, 10, 9))
    review(inst, at(2026, 11, 1, 0, 1))
