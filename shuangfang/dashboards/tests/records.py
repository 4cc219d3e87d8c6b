"""Test data for the dashboards: records of the other apps made directly (fast, many rows), with
the fields the dashboard reads, then the pre-aggregated counts recomputed from them (as the
migration or ``manage.py dashboards_rebuild_aggregates`` does). Returns nothing; tests count from
the database themselves. The counts kept by the services are tested in ``test_aggregates.py``."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from django.core.management import call_command
from django.utils import timezone

from shuangfang.hazards.models import Hazard
from shuangfang.inspections.tests.factories import closed_task
from shuangfang.monitoring.models import Alarm, Device
from shuangfang.orgs.models import InstitutionType, Organization, OrgKind
from shuangfang.risks.models import RiskPoint

_seq = itertools.count(1)


def add_institution(parent: Organization, name: str) -> Organization:
    return Organization.objects.create(
        parent=parent, name=name, kind=OrgKind.INSTITUTION, institution_type=InstitutionType.ELDERLY_CARE
    )


def fill(inst: Organization, acceptor, n: int = 3, post=None) -> None:
    """``n`` of everything in ``inst``: points of every level (some overdue for review), hazards
    in every state (open, overdue, major, supervised, closed on time and late), tasks done and
    missed in the last 30 days and today, devices offline and alarms open and acknowledged."""
    today = timezone.localdate()
    now = timezone.now()
    for i in range(n):
        k = next(_seq)
        RiskPoint.objects.create(
            organization=inst,
            number=k,
            code=f"FX-{k:04d}",
            name=f"点{k}",
            inherent_level=(i % 4) + 1 if i % 5 != 4 else None,
            next_review_on=today - dt.timedelta(days=3) if i % 2 else today + dt.timedelta(days=30),
        )
        common = {"organization": inst, "description": "x", "title": f"隐患{k}"}
        Hazard.objects.create(number=f"YH-A{k}", status="reported", **common)
        Hazard.objects.create(
            number=f"YH-B{k}",
            status="rectifying",
            deadline=today - dt.timedelta(days=2),
            grade="major",
            **common,
        )
        Hazard.objects.create(
            number=f"YH-C{k}",
            status="rectifying",
            deadline=today + dt.timedelta(days=3),
            supervised=True,
            **common,
        )
        Hazard.objects.create(
            number=f"YH-D{k}",
            status="closed",
            accepted_by=acceptor,
            closed_at=now - dt.timedelta(days=40),
            closed_on_time=bool(i % 2),
            reported_at=now - dt.timedelta(days=60),
            **common,
        )
        Hazard.objects.create(number=f"YH-E{k}", status="rejected", **common)
        for status, days in (("done", 2), ("missed", 5), ("done", 40), ("open", 0)):
            start = now - dt.timedelta(days=days, minutes=1)
            if days == 0:
                start = timezone.localtime(now).replace(hour=0, minute=1 + k % 50, second=0, microsecond=0)
            closed_task(inst, start, status, post)
        device = Device.objects.create(
            organization=inst,
            kind="smoke",
            code=f"DEV-{k}",
            name=f"烟感{k}",
            token_hash=uuid.uuid4().hex,
            online=bool(i % 2),
            last_seen_at=now - dt.timedelta(hours=1),
        )
        Alarm.objects.create(
            organization=inst,
            device=device,
            alarm_type="smoke",
            category="alarm",
            severity="critical" if i % 2 else "warning",
            status="open" if i % 3 else "acknowledged",
            opened_at=now - dt.timedelta(minutes=k),
            last_seen_at=now,
        )
    call_command("dashboards_rebuild_aggregates", verbosity=0)
