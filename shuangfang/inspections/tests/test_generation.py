import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from shuangfang.core import events
from shuangfang.inspections import plans
from shuangfang.inspections.checklists import create_checklist
from shuangfang.inspections.choices import AssigneeKind, TaskStatus
from shuangfang.inspections.models import Task
from shuangfang.inspections.plans import create_plan, generate_tasks
from shuangfang.inspections.taskflow import sweep_missed

from .conftest import local


def test_generation_is_idempotent_and_creates_windows_ahead(setup):
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        made = generate_tasks(horizon=dt.timedelta(hours=48))
        again = generate_tasks(horizon=dt.timedelta(hours=48))
    tasks = list(Task.objects.order_by("window_start"))
    assert made == len(tasks) >= 2 and again == 0
    assert tasks[0].window_start == local(2026, 6, 1, 8, 0)
    assert tasks[0].location == "1号楼 1层 厨房"


def test_unique_constraint_stops_duplicates_even_when_the_plan_forgets_its_progress(setup):
    plan = setup["plan"]
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks()
        n = Task.objects.count()
        type(plan).objects.filter(pk=plan.pk).update(generated_until=None)  # as if another worker raced
        assert generate_tasks() == 0
    assert Task.objects.count() == n


def test_missed_tasks_are_marked_counted_and_published_once(setup, django_capture_on_commit_callbacks):
    seen = events.Published("inspection.task_missed", payloads=True)
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(hours=12))
    task = Task.objects.get()
    with time_machine.travel(local(2026, 6, 1, 9, 59), tick=False):
        assert sweep_missed() == 0
    with (
        time_machine.travel(local(2026, 6, 1, 10, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sweep_missed() == 1
        assert sweep_missed() == 0
    task.refresh_from_db()
    assert task.status == TaskStatus.MISSED
    assert len(seen) == 1
    assert seen[0]["task_uuid"] == str(task.uuid)
    assert seen[0]["recipient_ids"] == [w_cook(setup)]
    assert seen[0]["roles"] == ["safety_officer"]
    from shuangfang.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="task.missed", object_id=str(task.pk)).count() == 1


def w_cook(setup):
    return setup["plan"].assignee_post.memberships.get().user_id


def test_generation_after_downtime_backfills_windows_so_they_show_as_missed(setup):
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(hours=12))
    # the worker was down for two days
    with time_machine.travel(local(2026, 6, 3, 12, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(hours=12))
        sweep_missed()
    days = sorted(t.window_start.date() for t in Task.objects.filter(status=TaskStatus.MISSED))
    assert [d.day for d in days] == [1, 2, 3]


def test_management_command_runs_generation_and_sweep(setup, capsys):
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        call_command("inspections_generate", hours=24)
    assert "tasks created" in capsys.readouterr().out
    assert Task.objects.exists()


def test_night_patrol_template_generates_five_windows_a_night(setup, world):
    from shuangfang.inspections.models import PlanTemplate

    tpl = PlanTemplate.objects.get(code="night_fire_patrol")
    rule = dict(tpl.rule)
    freq = rule.pop("frequency")
    with time_machine.travel(local(2026, 6, 1, 12, 0), tick=False):
        create_plan(
            actor=setup["officer"],
            organization=world.inst_a,
            name=tpl.name,
            checklist=setup["checklist"],
            frequency=freq,
            rule=rule,
            assignee_kind=AssigneeKind.ON_SHIFT,
            assignee_post=world.post_a,
            location="全院",
            template=tpl,
        )
        generate_tasks(horizon=dt.timedelta(hours=20))
    night = Task.objects.filter(plan__template=tpl).order_by("window_start")
    assert [timezone_hour(t.window_start) for t in night] == [20, 22, 0, 2, 4]


def timezone_hour(value):
    from django.utils import timezone

    return timezone.localtime(value).hour


@pytest.mark.django_db(transaction=True)
def test_two_workers_generating_at_once_split_the_plans_and_make_no_duplicates(world, settings, tmp_path):
    """PostgreSQL: each worker claims batches with FOR UPDATE SKIP LOCKED; the unique constraint is
    the backstop. (SQLite serialises writers, so there the test shows only the idempotence.)"""
    import threading

    from django.db import connection, connections

    from shuangfang.inspections import seed

    if connection.vendor != "postgresql":
        pytest.skip("needs row locks (PostgreSQL); SQLite serialises writers")
    seed.load(only_if_missing=True)
    officer = world.users["safety_officer"]
    checklist = create_checklist(
        actor=officer,
        organization=world.inst_a,
        name="巡查",
        kind="post",
        category="fire",
        library_codes=["A01"],
    )
    for n in range(12):
        create_plan(
            actor=officer,
            organization=world.inst_a,
            name=f"计划{n}",
            checklist=checklist,
            frequency="hours",
            rule={"interval_hours": 1},
            assignee_kind=AssigneeKind.POST,
            assignee_post=world.post_a,
            location=f"点{n}",
        )
    plans.GENERATE_BATCH, old = 2, plans.GENERATE_BATCH
    made: list[int] = []
    errors: list[BaseException] = []
    now = local(2026, 6, 1, 7, 0)

    def worker():
        try:
            made.append(generate_tasks(now=now, horizon=dt.timedelta(hours=24)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        plans.GENERATE_BATCH = old
    assert not errors, errors
    assert Task.objects.count() == sum(made) == 12 * 24  # hourly windows 07:00 → next day 07:00
    assert Task.objects.values("plan", "place_key", "window_start").distinct().count() == Task.objects.count()
