"""Risk inventory at scale: one institution with 2,000 risk points and 20,000 hazard factors (each
with one LEC assessment and two control measures: 40,000 measures).

Times, in the database named by DATABASE_URL (built once, reused):
  - baseline: raw SQL, the first 50 factors joined with their points
  - inventory page: first page, filtered (level = significant), through the Django test client
  - full Excel export of all 20,000 rows (streamed, write-only openpyxl), time and peak Python memory
  - export of a quarter of the rows, to show that peak memory does not grow with rows
"""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

from _setup import report, setup, timed

setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from shuangfang.orgs.models import Membership, Organization, OrgKind, User  # noqa: E402
from shuangfang.orgs.roles import Role  # noqa: E402
from shuangfang.risks.models import (  # noqa: E402
    Assessment,
    AssessmentMethod,
    ControlMeasure,
    HazardFactor,
    RiskPoint,
)

N_POINTS, N_FACTORS_PER_POINT = 2000, 10


@transaction.atomic
def build() -> tuple[User, Organization]:
    bureau = Organization.objects.filter(name="基准风险市民政局").first()
    if bureau is None:
        bureau = Organization.objects.create(name="基准风险市民政局", kind=OrgKind.BUREAU)
    inst = Organization.objects.filter(name="基准风险养老院").first()
    if inst is None:
        inst = Organization.objects.create(
            name="基准风险养老院", kind=OrgKind.INSTITUTION, institution_type="elderly_care", parent=bureau
        )
    officer, created = User.objects.get_or_create(
        username="bench_risk_officer", defaults={"name": "基准安全员"}
    )
    if created:
        officer.set_password("bench-pass-1")
        officer.save()
        Membership.objects.create(user=officer, organization=inst, role=Role.SAFETY_OFFICER)
    if RiskPoint.objects.filter(organization=inst).count() >= N_POINTS:
        return officer, inst
    lec = AssessmentMethod.objects.get(code="lec", is_current=True)
    points = RiskPoint.objects.bulk_create(
        [
            RiskPoint(
                organization=inst,
                number=i + 1,
                code=f"FX-{i + 1:04d}",
                name=f"风险点{i + 1}",
                kind="place",
                area=f"区域{i % 20}",
                inherent_level=i % 4 + 1,
                residual_level=i % 4 + 1,
            )
            for i in range(N_POINTS)
        ],
        batch_size=2000,
    )
    factors = HazardFactor.objects.bulk_create(
        [
            HazardFactor(
                organization=inst,
                risk_point=p,
                description=f"危险有害因素{j}",
                factor_class="things",
                accident_types=["火灾", "触电"],
                consequence="火灾",
                inherent_level=p.inherent_level,
            )
            for p in points
            for j in range(N_FACTORS_PER_POINT)
        ],
        batch_size=5000,
    )
    Assessment.objects.bulk_create(
        [
            Assessment(
                organization=inst,
                factor=f,
                kind="inherent",
                method=lec,
                inputs={"L": 3, "E": 6, "C": 7},
                score=126,
                level=f.inherent_level or 3,
                band="C",
                assessed_by=officer,
            )
            for f in factors
        ],
        batch_size=5000,
    )
    ControlMeasure.objects.bulk_create(
        [
            ControlMeasure(
                organization=inst,
                factor=f,
                category=cat,
                description=f"{cat} 措施",
                tier="team",
                responsible_name="张三",
                what_to_check="是否落实",
            )
            for f in factors
            for cat in ("engineering", "management")
        ],
        batch_size=5000,
    )
    return officer, inst


t0 = time.perf_counter()
officer, inst = build()
build_s = time.perf_counter() - t0
n_factors = HazardFactor.objects.filter(organization=inst).count()


def raw():
    with connection.cursor() as c:
        c.execute(
            "SELECT f.id, f.description, p.code, p.name FROM risks_hazardfactor f "
            "JOIN risks_riskpoint p ON p.id = f.risk_point_id WHERE f.organization_id = %s "
            "AND f.inherent_level = 2 ORDER BY p.number, f.id LIMIT 50",
            [inst.pk],
        )
        c.fetchall()


setup_test_environment()
client = Client()
client.login(username="bench_risk_officer", password="bench-pass-1")


def page():
    r = client.get(f"/risks/inventory/?institution={inst.pk}&level=2")
    assert r.status_code == 200


def export(query: str) -> int:
    r = client.get(f"/risks/inventory/?institution={inst.pk}{query}&export=xlsx")
    assert r.status_code == 200
    content: Any = r.streaming_content  # type: ignore[attr-defined]
    return sum(len(bytes(chunk)) for chunk in content)


def export_measured(query: str) -> tuple[float, float, int]:
    tracemalloc.start()
    t = time.perf_counter()
    size = export(query)
    elapsed = time.perf_counter() - t
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 1e6, size


base = timed(raw)
pg = timed(page, repeat=10)
t = time.perf_counter()
export("")
full_s = time.perf_counter() - t
_t_full, peak_full, size_full = export_measured("")
_t_part, peak_part, _size_part = export_measured("&level=1")  # a quarter of the rows

report(
    "risks inventory",
    [
        ("baseline raw SQL, 50 factors (level 2)", base, "same machine, same run"),
        ("inventory page, first page filtered", pg, f"{pg['p50_ms'] / base['p50_ms']:.0f}× baseline"),
        (
            f"full Excel export, {n_factors} rows",
            {"p50_ms": full_s * 1000, "p95_ms": full_s * 1000},
            f"{size_full / 1e6:.1f} MB file; {n_factors / full_s:.0f} rows/s",
        ),
        (
            "export peak Python memory (MB), all rows",
            {"p50_ms": peak_full, "p95_ms": peak_full},
            f"vs {peak_part:.1f} MB for a quarter of the rows (write-only, streamed)",
        ),
    ],
)
print(
    f"data: {RiskPoint.objects.filter(organization=inst).count()} points, {n_factors} factors "
    f"(built in {build_s:.1f} s this run)"
)
