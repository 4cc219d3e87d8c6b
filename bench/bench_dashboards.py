"""Dashboards: a bureau's figures over many institutions, against one raw aggregate.

Builds (once) a city of N_INST institutions under one bureau, each with N_HAZ hazards, N_POINT risk
points, N_TASK inspection tasks of the last 30 days and N_DEV devices with an open alarm, in the
database named by DATABASE_URL (use a throw-away one). Then times:
  - baseline: one raw ``SELECT organization_id, count(*) … GROUP BY`` over the hazards
  - figures: ``queries.figures`` for every institution (five grouped queries)
  - trend: ``queries.hazard_trend`` (two grouped queries)
  - bureau page / screen JSON: through the Django test client, with their query counts
"""

from __future__ import annotations

import datetime as dt
import os
import uuid

from _setup import report, setup, timed

os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from shuangfang.dashboards import queries  # noqa: E402
from shuangfang.hazards.models import Hazard  # noqa: E402
from shuangfang.inspections.models import Task  # noqa: E402
from shuangfang.monitoring.models import Alarm, Device  # noqa: E402
from shuangfang.orgs.models import Membership, Organization, OrgKind, User  # noqa: E402
from shuangfang.orgs.roles import Role  # noqa: E402
from shuangfang.risks.models import RiskPoint  # noqa: E402

N_INST = int(os.environ.get("BENCH_INSTITUTIONS", "200"))
N_HAZ, N_POINT, N_TASK, N_DEV = 200, 40, 200, 5
STATUSES = ["reported", "rectifying", "pending_acceptance", "rejected"]


@transaction.atomic
def build() -> tuple[User, Organization]:
    bureau = Organization.objects.filter(name="看板基准市民政局").first()
    if bureau is None:
        bureau = Organization.objects.create(name="看板基准市民政局", kind=OrgKind.BUREAU)
        now = timezone.now()
        today = timezone.localdate()
        hazards, points, tasks, devices = [], [], [], []
        for i in range(N_INST):
            inst = Organization.objects.create(
                name=f"看板机构{i}", kind=OrgKind.INSTITUTION, institution_type="elderly_care", parent=bureau
            )
            for h in range(N_HAZ):
                hazards.append(
                    Hazard(
                        organization=inst,
                        number=f"YH-{h}",
                        title="基准",
                        description="x",
                        status=STATUSES[h % 4],
                        grade="major" if h % 17 == 0 else "general",
                        deadline=today + dt.timedelta(days=(h % 20) - 10),
                        reported_at=now - dt.timedelta(days=h % 360),
                    )
                )
            for p in range(N_POINT):
                points.append(
                    RiskPoint(
                        organization=inst,
                        number=p + 1,
                        code=f"FX-{p}",
                        name=f"点{p}",
                        inherent_level=p % 4 + 1,
                    )
                )
            for t in range(N_TASK):
                start = now - dt.timedelta(hours=3 * t + 1)
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
            for d in range(N_DEV):
                devices.append(
                    Device(
                        organization=inst,
                        kind="smoke",
                        code=f"BENCH-{i}-{d}",
                        name=f"烟感{d}",
                        token_hash=uuid.uuid4().hex,
                        online=d % 2 == 0,
                        last_seen_at=now,
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
                    severity="critical",
                    opened_at=now,
                    last_seen_at=now,
                )
                for d in Device.objects.filter(organization__parent=bureau)
            ],
            batch_size=5000,
        )
    sup, created = User.objects.get_or_create(username="bench_dash_supervisor", defaults={"name": "看板监管"})
    if created:
        sup.set_password("bench-pass-1")
        sup.save()
        Membership.objects.create(user=sup, organization=bureau, role=Role.BUREAU_SUPERVISOR)
    return sup, bureau


sup, bureau = build()
ids = [i.pk for i in queries.institutions_under(bureau)]
n_haz = Hazard.objects.filter(organization_id__in=ids).count()


def baseline() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT organization_id, count(*) FROM hazards_hazard WHERE organization_id = ANY(%s) "
            "GROUP BY organization_id",
            [ids],
        )
        cur.fetchall()


client = Client()
client.force_login(sup)
page = f"/dashboards/bureaus/{bureau.uuid}/"
api = f"/api/v1/dashboards/bureaus/{bureau.uuid}/screen"
counts = {}
for url in (page, api):
    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    counts[url] = len(q)

base = timed(baseline, repeat=10)
rows = [
    ("baseline: raw GROUP BY count of hazards", base, f"{len(ids)} institutions, {n_haz} hazards"),
]
for label, fn, note in (
    ("queries.figures (all counters)", lambda: queries.figures(ids), "5 queries"),
    ("queries.hazard_trend (12 months)", lambda: queries.hazard_trend(ids), "2 queries"),
    ("bureau page", lambda: client.get(page), f"{counts[page]} queries"),
    ("big-screen JSON", lambda: client.get(api), f"{counts[api]} queries"),
):
    fig = timed(fn, repeat=10)
    rows.append((label, fig, f"{note}; ×{fig['p50_ms'] / base['p50_ms']:.1f} baseline"))
report("dashboards", rows)
