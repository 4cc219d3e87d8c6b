"""Hazards at scale: many hazards across 200 institutions.

Builds (once) 200 institutions (one department, one safety officer and five staff each) and
``HZ_BENCH_N`` hazards (default 1,000,000 on PostgreSQL via COPY; 20,000 on SQLite via bulk
inserts), in the database named by DATABASE_URL. Then times, through the Django test client:
  - baseline: raw SQL, first 50 hazards of one institution by date
  - list: the filtered hazard list, first page (bureau supervisor over all 200 institutions; and one
    institution's officer)
  - mine: "my hazards" of one staff member
  - statistics: the yearly statistics page for the whole city
  - ledger: a 100,000-row Excel ledger export (streamed through a temporary file), with the peak
    Python memory of a 10,000-row and a 100,000-row export (flat means it does not grow with rows);
    ``HZ_BENCH_LEDGER=0`` skips the exports
and prints the number of queries per page.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import time
import tracemalloc
import uuid

from _setup import report, setup, timed

setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from shuangfang.hazards.models import Hazard  # noqa: E402
from shuangfang.orgs.models import Membership, Organization, OrgKind, User  # noqa: E402
from shuangfang.orgs.roles import Role  # noqa: E402

PG = connection.vendor == "postgresql"
N = int(os.environ.get("HZ_BENCH_N", "1000000" if PG else "20000"))
N_INST, N_STAFF = 200, 5
rng = random.Random(42)

STATUSES = [
    ("closed", 70),
    ("rectifying", 10),
    ("reported", 8),
    ("pending_acceptance", 5),
    ("planning", 2),
    ("rejected", 5),
]
STATUS_POOL = [s for s, w in STATUSES for _ in range(w)]
CATEGORIES = ["fire", "utilities", "food", "facilities", "security", "rules", "service", "special_equipment"]
SOURCES = ["snap", "routine", "specialist", "seasonal", "holiday", "sensor", "bureau", "external"]


@transaction.atomic
def build_city():
    bureau = Organization.objects.filter(name="隐患基准市民政局").first()
    if bureau is not None:
        return bureau
    bureau = Organization.objects.create(name="隐患基准市民政局", kind=OrgKind.BUREAU)
    people, links = [], []
    for i in range(N_INST):
        inst = Organization.objects.create(
            name=f"隐患基准机构{i:03d}",
            kind=OrgKind.INSTITUTION,
            institution_type="elderly_care",
            parent=bureau,
        )
        dept = Organization.objects.create(name="后勤部", kind=OrgKind.DEPARTMENT, parent=inst)
        officer = User(username=f"hz_officer_{i}", name=f"安全员{i}", password="!")
        people.append(officer)
        links.append((officer, inst, Role.SAFETY_OFFICER))
        for s in range(N_STAFF):
            u = User(username=f"hz_staff_{i}_{s}", name=f"员工{i}-{s}", password="!")
            people.append(u)
            links.append((u, dept, Role.STAFF))
    sup = User(username="hz_supervisor", name="基准监管", password="!")
    people.append(sup)
    links.append((sup, bureau, Role.BUREAU_SUPERVISOR))
    User.objects.bulk_create(people, batch_size=2000)
    Membership.objects.bulk_create(
        [Membership(user=u, organization=o, role=r) for u, o, r in links], batch_size=2000
    )
    return bureau


def hazard_rows(n: int, offset: int = 0):
    """Rows for every concrete column of Hazard, in model order. The lookups run here, before the
    caller opens COPY: no query may run on the connection while COPY streams."""
    ctx = _lookups()
    rng.seed(42 + offset)  # a second run adds rows: new uuids and numbers
    return _rows(n, offset, *ctx)


def _lookups():
    insts = list(Organization.objects.filter(name__startswith="隐患基准机构").order_by("name"))
    depts = {d.parent_id: d.pk for d in Organization.objects.filter(parent__in=insts)}
    officers = {
        m.organization_id: m.user_id
        for m in Membership.objects.filter(organization__in=insts, role=Role.SAFETY_OFFICER)
    }
    staff: dict[int, list[int]] = {}
    for m in Membership.objects.filter(organization__in=depts.values(), role=Role.STAFF).select_related(
        "organization"
    ):
        staff.setdefault(m.organization.parent_id, []).append(m.user_id)
    return insts, depts, officers, staff


def _rows(n, offset, insts, depts, officers, staff):
    now = timezone.now()
    today = timezone.localdate()
    seq = {i.pk: 0 for i in insts}
    fields = [f for f in Hazard._meta.concrete_fields if f.name != "id"]
    for k in range(n):
        inst = insts[k % len(insts)]
        seq[inst.pk] += 1
        status = rng.choice(STATUS_POOL)
        reported = now - dt.timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 1440))
        worker = rng.choice(staff[inst.pk])
        v = {
            "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
            "organization": inst.pk,
            "number": f"YH-{reported.year}-{offset + k:07d}",
            "title": f"基准隐患 {k}",
            "description": "灭火器过期、通道堆物等基准数据",
            "location": rng.choice(["厨房", "配电室", "宿舍楼二层", "大门", "锅炉房"]),
            "department": depts[inst.pk],
            "source": rng.choice(SOURCES),
            "status": status,
            "grade": ""
            if status == "reported"
            else ("major" if status == "planning" or rng.random() < 0.02 else "general"),
            "category": rng.choice(CATEGORIES),
            "treatment": "" if status in ("reported", "rejected") else "deadline",
            "reporter": worker,
            "reported_at": reported,
            "responsible": None if status in ("reported", "rejected") else worker,
            "deadline": None
            if status in ("reported", "rejected")
            else (
                reported.date() + dt.timedelta(days=14)
                if status == "closed"
                else today + dt.timedelta(days=rng.randint(-20, 20))
            ),
            "fixed_by": worker if status in ("closed", "pending_acceptance") else None,
            "accepted_by": officers[inst.pk] if status == "closed" else None,
            "accepted_at": reported + dt.timedelta(days=5) if status == "closed" else None,
            "closed_at": reported + dt.timedelta(days=rng.randint(1, 20)) if status == "closed" else None,
            "closed_on_time": rng.random() < 0.9 if status == "closed" else None,
            "supervised": False,
            "updated_at": now,
        }
        row = []
        for f in fields:
            name = f.name
            if name in v:
                row.append(v[name])
            elif f.null:
                row.append(None)
            elif f.get_internal_type() == "BooleanField":
                row.append(False)
            else:
                row.append("")
        yield row


def load_hazards(n: int, offset: int) -> float:
    t0 = time.perf_counter()
    fields = [f for f in Hazard._meta.concrete_fields if f.name != "id"]
    if PG:
        cols = ", ".join(f'"{f.column}"' for f in fields)
        rows = hazard_rows(n, offset)
        with transaction.atomic(), connection.cursor() as c:
            with c.connection.cursor().copy(f"COPY hazards_hazard ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            c.execute("ANALYZE")  # every table: the organisations' statistics matter to the plans
    else:
        batch = []
        for row in hazard_rows(n, offset):
            batch.append(Hazard(**{f.attname: val for f, val in zip(fields, row, strict=True)}))
            if len(batch) == 5000:
                Hazard.objects.bulk_create(batch)
                batch = []
        Hazard.objects.bulk_create(batch)
    return time.perf_counter() - t0


bureau = build_city()
have = Hazard.objects.filter(organization__parent=bureau).count()
load_s = None
if have < N:
    load_s = load_hazards(N - have, have)
total = Hazard.objects.filter(organization__parent=bureau).count()
print(f"hazards: {total} across {N_INST} institutions" + (f" (loaded in {load_s:.0f} s)" if load_s else ""))

inst0 = Organization.objects.get(name="隐患基准机构000")
sup = User.objects.get(username="hz_supervisor")
officer = User.objects.get(username="hz_officer_0")
staff = User.objects.get(username="hz_staff_0_0")

setup_test_environment()


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


sup_c, off_c, staff_c = client_for(sup), client_for(officer), client_for(staff)


def raw():
    with connection.cursor() as c:
        c.execute(
            "SELECT id, number, title, status FROM hazards_hazard WHERE organization_id = %s "
            "ORDER BY reported_at DESC LIMIT 50",
            [inst0.pk],
        )
        c.fetchall()


def get(client, url):
    def run():
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)

    return run


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


year = timezone.localdate().year
pages = [
    ("list: city, open + general (supervisor)", sup_c, "/hazards/?status=open&grade=general"),
    ("list: city, overdue (supervisor)", sup_c, "/hazards/?overdue=true"),
    ("list: one institution, fire (officer)", off_c, "/hazards/?category=fire"),
    ("my hazards (staff)", staff_c, "/hazards/mine/"),
    ("my hazards + queues (officer)", off_c, "/hazards/mine/"),
    ("statistics: city, year (supervisor)", sup_c, f"/hazards/statistics/?year={year}"),
    ("statistics: one institution (officer)", off_c, f"/hazards/statistics/?year={year}"),
]
base = timed(raw)
rows = [("baseline: raw SQL first page, one institution", base, "")]
for label, client, url in pages:
    fig = timed(get(client, url), repeat=3, warmup=1)
    ratio = fig["p50_ms"] / base["p50_ms"]
    rows.append((label, fig, f"{queries(client, url)} queries; x{ratio:.0f} baseline"))
    print(f"  {label}: {fig['p50_ms']:.0f} ms", flush=True)


def export_bytes(client, url) -> int:
    r = client.get(url)
    assert r.status_code == 200
    size = 0
    for chunk in r.streaming_content:
        size += len(chunk)
    r.close()
    return size


# Ledger export: pick date windows of one year that hold about 10k and 100k rows for the city.
def window_for(target: int) -> str:
    per_day = total / 730
    days = max(1, int(target / per_day))
    start = (timezone.localdate() - dt.timedelta(days=days)).isoformat()
    return f"/hazards/?reported_from={start}&export=xlsx"


export_rows = []
ledger = os.environ.get("HZ_BENCH_LEDGER", "1") == "1"  # 0: skip the (slow) Excel exports
for target in (10_000, 100_000) if ledger else ():
    url = window_for(target)
    n = Hazard.objects.filter(
        organization__parent=bureau, reported_at__date__gte=url.split("=")[1].split("&")[0]
    ).count()
    t0 = time.perf_counter()
    size = export_bytes(sup_c, url)
    secs = time.perf_counter() - t0
    tracemalloc.start()
    with CaptureQueriesContext(connection) as ctx:
        export_bytes(sup_c, url)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    fig = {"p50_ms": secs * 1000, "p95_ms": secs * 1000, "min_ms": secs * 1000}
    print(f"  ledger {n} rows: {secs:.1f} s, peak {peak / 1e6:.1f} MB", flush=True)
    export_rows.append(
        (
            f"ledger xlsx: {n} rows",
            fig,
            f"{size / 1e6:.1f} MB; peak Python memory {peak / 1e6:.1f} MB; "
            f"{len(ctx.captured_queries)} queries",
        )
    )
report("hazards", rows + export_rows)
_ = io
