"""Inspection task generation and "my tasks now".

Builds (once) N_INST institutions × PLANS_PER_INST plans (mixed frequencies: night patrol every 2 h,
each shift, daily, weekly, monthly, quarterly) with one checkpoint each, in the database named by
DATABASE_URL, then measures in the same run:

  - generation: ``generate_tasks`` for one day ahead (24 h) over every plan: time, rows,
    queries per institution;
  - baseline: a raw ``bulk_create`` of the same number of task rows (no rule evaluation, no claims);
  - rerun: the same generation again (idempotent: creates nothing);
  - "my tasks now" for a cook at an institution with 5,000 open tasks, against a raw SQL select of
    the same 50 rows.

Usage (N_INST defaults to 1000):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/bench_inspections.py [N_INST]
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from _setup import report, setup, timed

setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from shuangfang.inspections.models import Checklist, ChecklistItem, Checkpoint, Plan, Task  # noqa: E402
from shuangfang.inspections.plans import generate_tasks  # noqa: E402
from shuangfang.inspections.taskflow import my_tasks_page  # noqa: E402
from shuangfang.orgs.models import Membership, Organization, OrgKind, Post, User  # noqa: E402
from shuangfang.orgs.roles import Role  # noqa: E402

N_INST = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
PLANS_PER_INST = 30
OPEN_TASKS = 5000
RULES = [
    ("hours", {"interval_hours": 2, "start": "20:00", "end": "06:00"}),
    ("shift", {"shifts": ["08:00", "20:00"]}),
    ("daily", {"time": "08:00", "window_minutes": 120}),
    ("daily", {"time": "14:00", "window_minutes": 240, "day_rule": "workdays"}),
    ("weekly", {"weekdays": [0, 2, 4], "time": "09:00"}),
    ("monthly", {"month_day": 1, "time": "09:00"}),
    ("quarterly", {"month_day": 1}),
]
BUREAU = "基准巡检市民政局"


@transaction.atomic
def build() -> Organization:
    bureau = Organization.objects.filter(name=BUREAU).first()
    if bureau is None:
        bureau = Organization.objects.create(name=BUREAU, kind=OrgKind.BUREAU)
    have = Organization.objects.filter(parent=bureau).count()
    for i in range(have, N_INST):
        inst = Organization.objects.create(
            name=f"巡检机构{i}", kind=OrgKind.INSTITUTION, institution_type="elderly_care", parent=bureau
        )
        post = Post.objects.create(organization=inst, name="厨师")
        checklist = Checklist.objects.create(organization=inst, name="岗位检查", kind="post", category="fire")
        ChecklistItem.objects.bulk_create(
            [
                ChecklistItem(checklist=checklist, order=n, category="fire", text=f"检查项{n}")
                for n in range(10)
            ]
        )
        cps = Checkpoint.objects.bulk_create(
            [Checkpoint(organization=inst, name=f"点{n}") for n in range(PLANS_PER_INST)]
        )
        plans = Plan.objects.bulk_create(
            [
                Plan(
                    organization=inst,
                    name=f"计划{n}",
                    checklist=checklist,
                    frequency=RULES[n % len(RULES)][0],
                    rule=RULES[n % len(RULES)][1],
                    assignee_kind="post",
                    assignee_post=post,
                )
                for n in range(PLANS_PER_INST)
            ]
        )
        Plan.checkpoints.through.objects.bulk_create(
            [
                Plan.checkpoints.through(plan_id=p.pk, checkpoint_id=c.pk)
                for p, c in zip(plans, cps, strict=True)
            ]
        )
    return bureau


t0 = time.perf_counter()
bureau = build()
print(f"built {N_INST} institutions × {PLANS_PER_INST} plans in {time.perf_counter() - t0:.1f} s")
insts = Organization.objects.filter(parent=bureau)
plan_ids = Plan.objects.filter(organization__in=insts).values("id")


def reset() -> None:
    Task.objects.filter(plan_id__in=plan_ids).delete()
    Plan.objects.filter(id__in=plan_ids).update(generated_until=None)


# A fixed "now" (a Monday, the 1st of a month, 07:00 Shanghai) so every run does the same work.
NOW = dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
HORIZON = dt.timedelta(hours=24)

reset()
with CaptureQueriesContext(connection) as ctx:
    t0 = time.perf_counter()
    made = generate_tasks(now=NOW, horizon=HORIZON, organizations=insts)
    gen_ms = (time.perf_counter() - t0) * 1000
gen_queries = len(ctx)

t0 = time.perf_counter()
again = generate_tasks(now=NOW, horizon=HORIZON, organizations=insts)
rerun_ms = (time.perf_counter() - t0) * 1000
assert again == 0, again

rows = list(
    Task.objects.filter(plan_id__in=plan_ids).values(
        "organization_id",
        "plan_id",
        "checkpoint_id",
        "place_key",
        "location",
        "window_start",
        "window_end",
        "assignee_kind",
        "assignee_post_id",
    )
)
reset()
t0 = time.perf_counter()
with transaction.atomic():
    Task.objects.bulk_create([Task(**r) for r in rows], batch_size=2000)
base_ms = (time.perf_counter() - t0) * 1000
reset()

# --- "my tasks now" with 5,000 open tasks at one institution --------------------------------------
first = insts.order_by("pk").first()
assert first is not None
inst: Organization = first
post = Post.objects.get(organization=inst, name="厨师")
cook, created = User.objects.get_or_create(username="bench_insp_cook", defaults={"name": "基准厨师"})
if created:
    Membership.objects.create(user=cook, organization=inst, role=Role.STAFF, post=post)
plan = Plan.objects.filter(organization=inst).first()
now = timezone.now()
Task.objects.bulk_create(
    [
        Task(
            organization=inst,
            plan=plan,
            place_key=f"bench{i}",
            location=f"点{i}",
            window_start=now - dt.timedelta(minutes=30 + i % 60),
            window_end=now + dt.timedelta(hours=2, minutes=i % 120),
            assignee_kind="post",
            assignee_post=post,
        )
        for i in range(OPEN_TASKS)
    ],
    batch_size=2000,
)


def mine() -> None:
    cook.__dict__.pop("_shuangfang_scope_cache", None)
    my_tasks_page(cook, limit=50)


def raw() -> None:
    with connection.cursor() as c:
        c.execute(
            "SELECT id, location, window_end FROM inspections_task WHERE organization_id = %s "
            "AND status = 'open' AND window_start <= %s AND window_end > %s ORDER BY window_end, id LIMIT 50",
            [inst.pk, now, now],
        )
        c.fetchall()


with connection.cursor() as c:  # as autovacuum would after a bulk load
    c.execute("ANALYZE inspections_task") if connection.vendor == "postgresql" else None
base_mine = timed(raw)
fig_mine = timed(mine)
with CaptureQueriesContext(connection) as ctx2:
    mine()
Task.objects.filter(plan_id__in=plan_ids).delete()

n = insts.count()
report(
    f"inspections: {n} institutions × {PLANS_PER_INST} plans, one day = {made} tasks ({connection.vendor})",
    [
        ("baseline: raw bulk_create of the same task rows", {"p50_ms": base_ms, "p95_ms": base_ms}, "1.00×"),
        (
            "generate_tasks (24 h ahead)",
            {"p50_ms": gen_ms, "p95_ms": gen_ms},
            f"{gen_ms / base_ms:.2f}×, {gen_queries} queries = {gen_queries / n:.3f}/institution, "
            f"{gen_ms / n:.2f} ms/institution",
        ),
        ("generate_tasks again (idempotent, 0 rows)", {"p50_ms": rerun_ms, "p95_ms": rerun_ms}, ""),
        ("baseline: raw SQL 50 open tasks due now", base_mine, "1.00×"),
        (
            f"my_tasks_now, {OPEN_TASKS} open tasks, first 50",
            fig_mine,
            f"{fig_mine['p50_ms'] / base_mine['p50_ms']:.1f}×, {len(ctx2)} queries",
        ),
    ],
)
