"""Reports: a bureau's quarterly report over many institutions, against one raw aggregate.

Builds (once) a city of N_INST institutions under one bureau, each with N_HAZ hazards spread over
the last year (a quarter of them closed, some major, some under supervision), N_POINT risk points,
N_TASK inspection tasks and N_ALARM alarms spread over the last four months, in the database named
by DATABASE_URL (use a throw-away one). Then times, for the quarter that ended last:
  - baseline: one raw ``SELECT organization_id, count(*) … GROUP BY`` over the hazards
  - figures: ``content.build`` (every figure of the report, a fixed number of grouped queries)
  - PDF: ``render.pdf`` (WeasyPrint, the institutions table runs over several pages)
  - workbook: ``render.xlsx``
  - generate: ``services.generate`` end to end (figures, both files, stored, audited)
"""

from __future__ import annotations

import datetime as dt
import os
import uuid

from _setup import report, setup, timed

setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from shuangfang.hazards.models import Hazard, HazardEvent  # noqa: E402
from shuangfang.inspections.models import Task  # noqa: E402
from shuangfang.monitoring.models import Alarm, Device  # noqa: E402
from shuangfang.orgs.models import Organization, OrgKind, User, institutions_under  # noqa: E402
from shuangfang.reports import content, render, services  # noqa: E402
from shuangfang.reports.periods import last_ended, report_kind  # noqa: E402
from shuangfang.risks.models import RiskPoint  # noqa: E402

N_INST = int(os.environ.get("BENCH_INSTITUTIONS", "200"))
N_HAZ, N_POINT, N_TASK, N_ALARM = 200, 40, 200, 10
STATUSES = ["reported", "rectifying", "pending_acceptance", "closed", "rejected"]


@transaction.atomic
def build() -> Organization:
    bureau = Organization.objects.filter(name="报告基准市民政局").first()
    if bureau is not None:
        return bureau
    bureau = Organization.objects.create(name="报告基准市民政局", kind=OrgKind.BUREAU)
    acceptor, _ = User.objects.get_or_create(username="bench_report_acceptor", defaults={"name": "验收人"})
    now = timezone.now()
    today = timezone.localdate()
    hazards, points, tasks, devices = [], [], [], []
    for i in range(N_INST):
        inst = Organization.objects.create(
            name=f"报告机构{i}", kind=OrgKind.INSTITUTION, institution_type="elderly_care", parent=bureau
        )
        for h in range(N_HAZ):
            reported = now - dt.timedelta(days=h % 360, hours=h % 24)
            status = STATUSES[h % 5]
            hazards.append(
                Hazard(
                    organization=inst,
                    number=f"YH-{h}",
                    title="基准",
                    description="x",
                    status=status,
                    grade="major" if h % 17 == 0 else "general",
                    category=("fire", "utilities", "food", "facilities", "security")[h % 5],
                    source=("snap", "routine", "specialist", "sensor")[h % 4],
                    deadline=today + dt.timedelta(days=(h % 40) - 30),
                    reported_at=reported,
                    closed_at=reported + dt.timedelta(days=h % 9 + 1) if status == "closed" else None,
                    closed_on_time=(h % 3 != 0) if status == "closed" else None,
                    accepted_by=acceptor if status == "closed" else None,
                    supervised=h % 51 == 0,
                )
            )
        for p in range(N_POINT):
            points.append(
                RiskPoint(
                    organization=inst, number=p + 1, code=f"FX-{p}", name=f"点{p}", inherent_level=p % 4 + 1
                )
            )
        for t in range(N_TASK):
            start = now - dt.timedelta(hours=14 * t + 1)
            tasks.append(
                Task(
                    organization=inst,
                    place_key=str(uuid.uuid4()),
                    window_start=start,
                    window_end=start + dt.timedelta(hours=2),
                    status="missed" if t % 7 == 0 else "done",
                    assignee_kind="role",
                )
            )
        devices.append(
            Device(
                organization=inst, kind="smoke", code=f"RBENCH-{i}", name="烟感", token_hash=uuid.uuid4().hex
            )
        )
    Hazard.objects.bulk_create(hazards, batch_size=5000)
    RiskPoint.objects.bulk_create(points, batch_size=5000)
    Task.objects.bulk_create(tasks, batch_size=5000)
    Device.objects.bulk_create(devices, batch_size=5000)
    Alarm.objects.bulk_create(
        [
            Alarm(
                organization_id=d.organization_id,
                device=d,
                alarm_type="smoke",
                category="alarm",
                severity="critical" if a == 0 else "warning",
                status="cleared",
                opened_at=now - dt.timedelta(days=12 * a + 1),
                last_seen_at=now,
            )
            for d in Device.objects.filter(organization__parent=bureau)
            for a in range(N_ALARM)
        ],
        batch_size=5000,
    )
    HazardEvent.objects.bulk_create(
        [
            HazardEvent(hazard=h, action="supervise", created_at=h.reported_at + dt.timedelta(days=1))
            for h in Hazard.objects.filter(organization__parent=bureau, supervised=True)
        ],
        batch_size=5000,
    )
    return bureau


bureau = build()
ids = [i.pk for i in institutions_under(bureau)]
n_haz = Hazard.objects.filter(organization_id__in=ids).count()
period = last_ended("quarterly", timezone.localdate())


def baseline() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT organization_id, count(*) FROM hazards_hazard WHERE organization_id = ANY(%s) "
            "GROUP BY organization_id",
            [ids],
        )
        cur.fetchall()


with CaptureQueriesContext(connection) as q:
    figures = content.build(bureau, period)
n_queries = len(q)
pdf = render.pdf(figures)

base = timed(baseline, repeat=10)
rows = [("baseline: raw GROUP BY count of hazards", base, f"{len(ids)} institutions, {n_haz} hazards")]
for label, fn, note, repeat in (
    ("content.build (figures)", lambda: content.build(bureau, period), f"{n_queries} queries", 5),
    ("render.pdf", lambda: render.pdf(figures), f"{len(pdf) // 1024} KB", 3),
    ("render.xlsx", lambda: render.xlsx(figures), "7 sheets", 5),
    (
        "services.generate (bureau quarter, end to end)",
        lambda: services.generate(bureau, report_kind(period), period.start, actor=None),
        period.key,
        3,
    ),
):
    fig = timed(fn, repeat=repeat, warmup=1)
    rows.append((label, fig, f"{note}; ×{fig['p50_ms'] / base['p50_ms']:.0f} baseline"))
report("reports", rows)
