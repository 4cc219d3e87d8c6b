"""The daily task counts (``inspections.counts``) move in the transaction that closes each task (a
submission, the missed-task sweep, a bureau inspection) and always equal the counts made from the
tasks; generating and pausing change no count."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from shuangfang.inspections.checklists import create_checklist
from shuangfang.inspections.counts import TASKS
from shuangfang.inspections.models import Task, TaskDay
from shuangfang.inspections.plans import generate_tasks, set_plan_active
from shuangfang.inspections.records import Answer, bureau_inspect
from shuangfang.inspections.taskflow import submit_record, sweep_missed

from .conftest import jpeg, local

pytestmark = pytest.mark.django_db


def answers(task) -> list[Answer]:
    return [
        Answer(str(item.uuid), "ok", "", [jpeg()] if item.requires_photo else [])
        for item in task.plan.checklist.items.all()
    ]


def stored() -> dict:
    return {(r.organization_id, r.day, r.post_key): (r.done, r.missed) for r in TaskDay.objects.all()}


def same_as_records() -> None:
    assert TASKS.differences() == {}


def test_done_missed_and_bureau_inspections_keep_the_daily_counts(world, setup):
    cook, inst, post = world.users["staff"], world.inst_a, world.post_a
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(days=2))  # 1 and 2 June, 08:00-10:00
    assert Task.objects.count() == 2
    same_as_records()
    assert stored() == {}  # open tasks count nothing

    first, second = Task.objects.order_by("window_start")
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        submit_record(actor=cook, task=first, answers=answers(first))
    same_as_records()
    assert stored() == {(inst.pk, dt.date(2026, 6, 1), post.pk): (1, 0)}

    with time_machine.travel(local(2026, 6, 2, 10, 30), tick=False):
        assert sweep_missed() == 1
        assert sweep_missed() == 0  # a second sweep counts nothing twice
    same_as_records()
    assert stored()[(inst.pk, dt.date(2026, 6, 2), post.pk)] == (0, 1)

    checklist = create_checklist(
        actor=world.users["admin"],
        organization=world.bureau,
        name="局检",
        kind="bureau",
        category="rules",
        library_codes=["F01"],
    )
    item = checklist.items.get()
    with time_machine.travel(local(2026, 6, 2, 23, 30), tick=False):  # 15:30 UTC: still 2 June here
        bureau_inspect(
            actor=world.users["bureau_supervisor"],
            institution=inst,
            checklist=checklist,
            answers=[Answer(str(item.uuid), "ok")],
        )
    same_as_records()
    assert stored()[(inst.pk, dt.date(2026, 6, 2), 0)] == (1, 0)


def test_pausing_a_plan_deletes_open_tasks_and_no_count(world, setup):
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(days=3))
        first = Task.objects.order_by("window_start")[0]
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        submit_record(actor=world.users["staff"], task=first, answers=answers(first))
        before = stored()
        set_plan_active(actor=setup["officer"], plan=setup["plan"], active=False)
    assert Task.objects.count() == 1
    assert stored() == before
    same_as_records()


def test_a_refused_submission_changes_no_count(world, setup):
    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(hours=12))
    task = Task.objects.get()
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        submit_record(actor=world.users["staff"], task=task, answers=answers(task))
        with pytest.raises(Exception, match="already done"):
            submit_record(actor=world.users["staff"], task=task, answers=answers(task))
    assert stored() == {(world.inst_a.pk, dt.date(2026, 6, 1), world.post_a.pk): (1, 0)}
    same_as_records()


def test_a_problem_found_moves_the_task_counts_and_then_the_hazard_counts(
    world, setup, django_capture_on_commit_callbacks
):
    """The problem becomes a hazard after the inspection commits (``inspection.problem_found``),
    in the hazard's own transaction: both counts end equal to the records."""
    from shuangfang.hazards.counts import HAZARDS

    with time_machine.travel(local(2026, 6, 1, 7, 0), tick=False):
        generate_tasks(horizon=dt.timedelta(hours=12))
    task = Task.objects.get()
    found = [
        Answer(str(item.uuid), "problem", "冰箱温度 12 度", [jpeg()])
        if item.source_ref == "C04"
        else Answer(str(item.uuid), "ok", "", [jpeg()] if item.requires_photo else [])
        for item in setup["checklist"].items.all()
    ]
    with (
        time_machine.travel(local(2026, 6, 1, 8, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        record = submit_record(actor=world.users["staff"], task=task, answers=found)
    assert record.problem_count == 1
    same_as_records()
    assert HAZARDS.differences() == {}
    assert HAZARDS.stored() == {
        (world.inst_a.pk, dt.date(2026, 6, 1)): {
            "reported": 1,
            "still_open": 1,
            "closed": 0,
            "closed_on_time": 0,
        }
    }
