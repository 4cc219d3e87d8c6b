"""Dashboards at full size: a city of 200 institutions, 1,000,000 hazards, 5,000,000 tasks.

Builds (once; reused when present) a bureau with ``BENCH_INSTITUTIONS`` institutions (five
departments and five posts each), ``BENCH_HAZARDS`` hazards reported over three years (most closed,
a few per cent open, some of those overdue, major or supervised), ``BENCH_TASKS`` inspection tasks
over the last year (done, missed, today's still open), 40 risk points and 5 devices (offline ones
with an open alarm) per institution. On PostgreSQL the two big tables are loaded with COPY, their
indexes dropped during the load and built afterwards; then the dashboards' aggregates are rebuilt
from the records (``manage.py dashboards_rebuild_aggregates``, timed).

Then times, through the Django test client as a logged-in bureau supervisor (``BENCH_RUNS`` runs
each, p50/p95, and the number of queries):
  - baseline: raw SQL ``count(*) … GROUP BY`` of the same tables (all hazards by institution and
    status; the last 30 days of tasks by institution and status), measured in the same run
  - ``queries.figures`` and ``queries.hazard_trend`` for all institutions
  - the bureau dashboard, one institution's dashboard, the big-screen JSON endpoint, with the
    assessment scores read from the worker's snapshots (``assessment.snapshots``, refreshed just
    before; the refresh itself timed once)
  - the same bureau dashboard with no snapshot (the scores computed live, as before the
    snapshots) and the live computation of the 200 scores alone, for comparison

PostgreSQL only at full size. The database named by DATABASE_URL is created if missing and dropped
at the end unless ``BENCH_KEEP=1`` (then a rerun skips the load); it is only ever dropped when its
name contains ``bench``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlparse

os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
DB_URL = os.environ.get("DATABASE_URL", "")


def _server_cursor():
    import psycopg

    url = urlparse(DB_URL)
    return psycopg.connect(DB_URL.replace(url.path, "/postgres"), autocommit=True)


def ensure_database() -> None:
    if not DB_URL.startswith("postgres"):
        return
    name = urlparse(DB_URL).path.lstrip("/")
    with _server_cursor() as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


ensure_database()

from _setup import report, setup, timed  # noqa: E402

setup()

from django.core.management import call_command  # noqa: E402

call_command("createcachetable")  # the default cache without REDIS_URL (the tree's generation)
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from shuangfang.assessment import scores, snapshots  # noqa: E402
from shuangfang.assessment.models import ScoreSnapshot  # noqa: E402
from shuangfang.core import periods  # noqa: E402
from shuangfang.dashboards import queries  # noqa: E402
from shuangfang.hazards.models import Hazard  # noqa: E402
from shuangfang.inspections.models import Task  # noqa: E402
from shuangfang.monitoring.models import Alarm, Device  # noqa: E402
from shuangfang.orgs.models import Membership, Organization, OrgKind, Post, User, institutions_under  # noqa: E402
from shuangfang.orgs.roles import Role  # noqa: E402
from shuangfang.risks.models import RiskPoint  # noqa: E402

PG = connection.vendor == "postgresql"
N_INST = int(os.environ.get("BENCH_INSTITUTIONS", "200"))
N_HAZ = int(os.environ.get("BENCH_HAZARDS", "1000000" if PG else "20000"))
N_TASK = int(os.environ.get("BENCH_TASKS", "5000000" if PG else "50000"))
RUNS = int(os.environ.get("BENCH_RUNS", "10"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
N_POINT, N_DEV, N_DEPT = 40, 5, 5
BUREAU = "看板基准市民政局"
rng = random.Random(8)


def build_city() -> Organization:
    """Bureau, institutions, departments, posts, an officer per institution, the supervisor."""
    with transaction.atomic():
        bureau = Organization.objects.create(name=BUREAU, kind=OrgKind.BUREAU)
        people, links, posts = [], [], []
        for i in range(N_INST):
            inst = Organization.objects.create(
                name=f"看板机构{i:03d}",
                kind=OrgKind.INSTITUTION,
                institution_type="elderly_care",
                parent=bureau,
            )
            for d in range(N_DEPT):
                dept = Organization.objects.create(name=f"部门{d}", kind=OrgKind.DEPARTMENT, parent=inst)
                posts.append(Post(organization=inst, department=dept, name=f"岗位{d}"))
            officer = User(username=f"dash_officer_{i}", name=f"安全员{i}", password="!")
            people.append(officer)
            links.append((officer, inst, Role.SAFETY_OFFICER))
        sup = User(username="bench_dash_supervisor", name="看板监管", password="!")
        people.append(sup)
        links.append((sup, bureau, Role.BUREAU_SUPERVISOR))
        User.objects.bulk_create(people, batch_size=2000)
        Membership.objects.bulk_create([Membership(user=u, organization=o, role=r) for u, o, r in links])
        Post.objects.bulk_create(posts)
    return bureau


def build_small(bureau: Organization) -> None:
    """Risk points, devices and alarms: a few thousand rows, plain bulk inserts."""
    today = timezone.localdate()
    now = timezone.now()
    insts = list(Organization.objects.filter(parent=bureau, kind=OrgKind.INSTITUTION))
    points, devices = [], []
    for inst in insts:
        for p in range(N_POINT):
            points.append(
                RiskPoint(
                    organization=inst,
                    number=p + 1,
                    code=f"FX-{p + 1:04d}",
                    name=f"风险点{p}",
                    inherent_level=p % 4 + 1 if p % 10 else None,
                    next_review_on=today + dt.timedelta(days=rng.randint(-30, 300)),
                )
            )
        for d in range(N_DEV):
            devices.append(
                Device(
                    organization=inst,
                    kind="smoke",
                    code=f"DASH-{inst.pk}-{d}",
                    name=f"烟感{d}",
                    token_hash=uuid.uuid4().hex,
                    online=d % 3 != 0,
                    last_seen_at=now - dt.timedelta(hours=d),
                )
            )
    with transaction.atomic():
        RiskPoint.objects.bulk_create(points, batch_size=5000)
        Device.objects.bulk_create(devices, batch_size=5000)
        Alarm.objects.bulk_create(
            [
                Alarm(
                    organization_id=d.organization_id,
                    device=d,
                    alarm_type="smoke",
                    category="alarm",
                    severity="critical" if d.pk % 2 else "warning",
                    status="open" if d.pk % 4 else "acknowledged",
                    opened_at=now - dt.timedelta(minutes=d.pk % 600),
                    last_seen_at=now,
                )
                for d in Device.objects.filter(organization__parent=bureau, online=False)
            ]
        )


def _layout(model, names: list[str]) -> tuple[list[str], tuple]:
    """COPY columns: ``names`` (attnames) first, then every other NOT NULL column with its
    model default (a constant tail appended to each row)."""
    cols, tail = [model._meta.get_field(n).column for n in names], []
    for f in model._meta.concrete_fields:
        if f.attname in names or f.primary_key or f.null:
            continue
        default = f.get_default()
        assert default is not None and not callable(default), f"{model.__name__}.{f.name} needs a value"
        if isinstance(default, dict | list):  # a JSON field's default: COPY takes its text
            default = json.dumps(default)
        cols.append(f.column)
        tail.append(default)
    return cols, tuple(tail)


@contextlib.contextmanager
def indexes_deferred(table: str):
    """Drop the table's indexes and unique constraints (not the primary key) and build them again
    after the block: one sort per index instead of 5,000,000 index insertions."""
    with connection.cursor() as c:
        c.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [table],
        )
        constraints = c.fetchall()
        c.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = "
            "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
            [table],
        )
        plain = c.fetchall()
        for name, _ in constraints:
            c.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _ in plain:
            c.execute(f'DROP INDEX "{name}"')
    yield
    t0 = time.perf_counter()
    with connection.cursor() as c:
        c.execute("SET maintenance_work_mem = '256MB'")
        for name, definition in constraints:
            c.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for _, definition in plain:
            c.execute(definition)
    print(f"  {table}: {len(constraints) + len(plain)} indexes built in {time.perf_counter() - t0:.0f} s")


def copy_rows(model, names: list[str], rows) -> float:
    table = model._meta.db_table
    cols, tail = _layout(model, names)
    t0 = time.perf_counter()
    with indexes_deferred(table), transaction.atomic(), connection.cursor() as c:
        c.execute("SET LOCAL session_replication_role = replica")  # rows are consistent by construction
        column_list = ", ".join(f'"{x}"' for x in cols)
        with c.connection.cursor().copy(f'COPY "{table}" ({column_list}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row + tail)
    with connection.cursor() as c:
        c.execute(f'VACUUM ANALYZE "{table}"')
    return time.perf_counter() - t0


OPEN_MIX = ["reported"] * 30 + ["planning"] * 5 + ["rectifying"] * 45 + ["pending_acceptance"] * 20


def hazard_rows(insts: list[Organization], officers: dict[int, int]):
    """Three years of hazards: old ones almost all closed, recent ones more often still open."""
    now = timezone.now()
    tz = timezone.get_current_timezone()
    span = 3 * 365 * 86400
    names = [
        "uuid",
        "organization_id",
        "number",
        "title",
        "description",
        "status",
        "grade",
        "category",
        "source",
        "reporter_id",
        "reported_at",
        "responsible_id",
        "deadline",
        "fixed_by_id",
        "accepted_by_id",
        "accepted_at",
        "closed_at",
        "closed_on_time",
        "supervised",
        "updated_at",
    ]
    cats = ["fire", "utilities", "food", "facilities", "security", "rules"]

    def gen():
        r = rng.random
        for k in range(N_HAZ):
            inst = insts[k % len(insts)].pk
            officer = officers[inst]
            age = r() * span
            reported = now - dt.timedelta(seconds=age)
            days = age / 86400
            p_open = 0.6 if days < 30 else 0.15 if days < 120 else 0.01
            x = r()
            if x < p_open:
                status = OPEN_MIX[int(r() * len(OPEN_MIX))]
            elif x < p_open + 0.04:
                status = "rejected"
            elif x < p_open + 0.05:
                status = "duplicate"
            else:
                status = "closed"
            major = status == "planning" or (status != "reported" and r() < 0.03)
            grade = (
                "" if status in ("reported", "rejected", "duplicate") else ("major" if major else "general")
            )
            deadline = None
            if status in ("planning", "rectifying", "pending_acceptance", "closed"):
                deadline = reported.astimezone(tz).date() + dt.timedelta(days=15 if major else 7)
            closed_at = accepted_at = on_time = None
            if status == "closed" and deadline is not None:
                closed_at = min(reported + dt.timedelta(days=r() * 12), now)
                accepted_at = closed_at
                on_time = closed_at.astimezone(tz).date() <= deadline
            supervised = major and status in ("planning", "rectifying", "pending_acceptance") and r() < 0.4
            yield (
                uuid.uuid4(),
                inst,
                f"YH-{reported.year}-{k:07d}",
                "基准隐患",
                "灭火器过期、通道堆物等基准数据",
                status,
                grade,
                cats[k % 6],
                "routine",
                officer,
                reported,
                officer if deadline else None,
                deadline,
                officer if status in ("pending_acceptance", "closed") else None,
                officer if status == "closed" else None,
                accepted_at,
                closed_at,
                on_time,
                supervised,
                now,
            )

    return names, gen()


def task_rows(insts: list[Organization], posts: dict[int, list[int]]):
    """A year of tasks (two-hour windows): ended ones done or missed, current ones open."""
    now = timezone.now()
    span = 365 * 86400
    two_hours = dt.timedelta(hours=2)
    names = [
        "uuid",
        "organization_id",
        "place_key",
        "location",
        "window_start",
        "window_end",
        "status",
        "assignee_kind",
        "assignee_post_id",
        "closed_at",
    ]

    def gen():
        r = rng.random
        for k in range(N_TASK):
            inst = insts[k % len(insts)].pk
            start = now - dt.timedelta(seconds=r() * span - 43200)  # up to 12 h ahead
            end = start + two_hours
            if end <= now:
                status = "missed" if r() < 0.08 else "done"
                closed = end if status == "missed" else start + dt.timedelta(minutes=30)
            else:
                status, closed = "open", None
            plist = posts[inst]
            yield (
                uuid.uuid4(),
                inst,
                "",
                "巡查点",
                start,
                end,
                status,
                "post",
                plist[k % len(plist)],
                closed,
            )

    return names, gen()


def load(bureau: Organization) -> None:
    insts = list(Organization.objects.filter(parent=bureau, kind=OrgKind.INSTITUTION).order_by("pk"))
    officers = {
        m.organization_id: m.user_id
        for m in Membership.objects.filter(organization__in=insts, role=Role.SAFETY_OFFICER)
    }
    posts: dict[int, list[int]] = {}
    for p in Post.objects.filter(organization__in=insts).order_by("pk"):
        posts.setdefault(p.organization_id, []).append(p.pk)
    names, rows = hazard_rows(insts, officers)
    print(f"  hazards: {N_HAZ} copied in {copy_rows(Hazard, names, rows):.0f} s", flush=True)
    names, rows = task_rows(insts, posts)
    print(f"  tasks: {N_TASK} copied in {copy_rows(Task, names, rows):.0f} s", flush=True)


def rebuild_aggregates() -> float | None:
    from django.core.management import get_commands

    if "dashboards_rebuild_aggregates" not in get_commands():
        return None
    t0 = time.perf_counter()
    call_command("dashboards_rebuild_aggregates", verbosity=0)
    return time.perf_counter() - t0


bureau = Organization.objects.filter(name=BUREAU).first()
built = bureau is not None
if not built:
    assert PG or N_TASK <= 100_000, "full size needs PostgreSQL (COPY)"
    t0 = time.perf_counter()
    bureau = build_city()
    build_small(bureau)
    if PG:
        load(bureau)
    else:
        raise SystemExit("SQLite: use the tests, not this bench")
    print(f"city built in {time.perf_counter() - t0:.0f} s", flush=True)
assert bureau is not None
rebuild_s = rebuild_aggregates()
if rebuild_s is not None:
    print(f"aggregates rebuilt from the records in {rebuild_s:.1f} s", flush=True)
if PG:
    with connection.cursor() as c:
        c.execute("ANALYZE")  # planner statistics of every table, as autovacuum would keep them

insts = institutions_under(bureau)
ids = [i.pk for i in insts]
n_haz = Hazard.objects.filter(organization_id__in=ids).count()
n_task = Task.objects.filter(organization_id__in=ids).count()
n_open = Hazard.objects.filter(organization_id__in=ids).open().count()
print(f"{len(ids)} institutions, {n_haz} hazards ({n_open} open), {n_task} tasks", flush=True)

since = timezone.now() - dt.timedelta(days=30)


def baseline() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT organization_id, status, count(*) FROM hazards_hazard "
            "WHERE organization_id = ANY(%s) GROUP BY 1, 2",
            [ids],
        )
        cur.fetchall()
        cur.execute(
            "SELECT organization_id, status, count(*) FROM inspections_task "
            "WHERE organization_id = ANY(%s) AND window_start >= %s GROUP BY 1, 2",
            [ids, since],
        )
        cur.fetchall()


t0 = time.perf_counter()
n_snap = snapshots.refresh()
refresh_s = time.perf_counter() - t0
print(
    f"score snapshots of {n_snap} institutions refreshed in {refresh_s:.2f} s (the worker, every 5 min)",
    flush=True,
)

sup = User.objects.get(username="bench_dash_supervisor")
client = Client()
client.force_login(sup)
pages = {
    "bureau dashboard": f"/dashboards/bureaus/{bureau.uuid}/",
    "institution dashboard": f"/dashboards/institutions/{insts[0].uuid}/",
    "big-screen JSON": f"/api/v1/dashboards/bureaus/{bureau.uuid}/screen",
}
counts = {}
for label, url in pages.items():
    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200, url
    counts[label] = len(q)

print(f"load average {os.getloadavg()[0]:.2f} (2 cores)", flush=True)
base = timed(baseline, repeat=RUNS)
rows = [
    ("baseline: raw GROUP BY counts", base, "hazards all history + tasks 30 days, by institution and status")
]


def getter(url: str) -> Callable[[], object]:
    return lambda: client.get(url)


paths: list[tuple[str, Callable[[], object], str]] = [
    (f"queries.figures ({len(ids)} institutions)", lambda: queries.figures(ids), ""),
    ("queries.hazard_trend (12 months)", lambda: queries.hazard_trend(ids), ""),
    *((label, getter(url), f"{counts[label]} queries") for label, url in pages.items()),
]
for label, fn, note in paths:
    fig = timed(fn, repeat=RUNS, warmup=1)
    rows.append((label, fig, f"{note}{'; ' if note else ''}×{fig['p50_ms'] / base['p50_ms']:.2f} baseline"))
    print(f"  {label}: p50 {fig['p50_ms']:.0f} ms", flush=True)

# Before the snapshots: the scores of every institution computed per view.
p = periods.current()
live = timed(lambda: scores.institution_scores(insts, p.start, p.end), repeat=RUNS, warmup=1)
rows.append(
    (
        f"assessment scores computed live ({len(ids)})",
        live,
        f"×{live['p50_ms'] / base['p50_ms']:.2f} baseline",
    )
)
with transaction.atomic():
    ScoreSnapshot.objects.all().delete()
    fig = timed(getter(pages["bureau dashboard"]), repeat=RUNS, warmup=1)
    rows.append(
        (
            "bureau dashboard, scores live (no snapshot)",
            fig,
            f"{counts['bureau dashboard'] + 4} queries; ×{fig['p50_ms'] / base['p50_ms']:.2f} baseline",
        )
    )
    print(f"  bureau dashboard, scores live: p50 {fig['p50_ms']:.0f} ms", flush=True)
    transaction.set_rollback(True)
rows.append(("score snapshots refresh (once)", {"p50_ms": refresh_s * 1000, "p95_ms": refresh_s * 1000}, ""))
if rebuild_s is not None:
    rows.append(("rebuild aggregates (once)", {"p50_ms": rebuild_s * 1000, "p95_ms": rebuild_s * 1000}, ""))
print(f"load average {os.getloadavg()[0]:.2f} (2 cores)", flush=True)
report(f"dashboards: {len(ids)} institutions, {n_haz} hazards, {n_task} tasks", rows)

if PG and not KEEP:
    name = urlparse(DB_URL).path.lstrip("/")
    if "bench" in name:
        connection.close()
        with _server_cursor() as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        print(f"dropped database {name} (BENCH_KEEP=1 keeps it for a quick rerun)")
