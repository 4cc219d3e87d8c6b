"""Property test of the task table (``taskflow.TASK_FLOW``): random submissions by random people at
random times, sweeps, and people trying the sweep's move, never make a move outside the table, and
every move writes exactly one audit row naming its actor (the sweep: none, the system)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangfang.core.tests.workflow_checks import attempt
from shuangfang.inspections import counts
from shuangfang.inspections.choices import AssigneeKind, TaskStatus
from shuangfang.inspections.models import Task
from shuangfang.inspections.taskflow import TASK_FLOW, submit_record, sweep_missed

from .conftest import local
from .test_submit import answers

pytestmark = pytest.mark.django_db

PEOPLE = ["admin", "institution_head", "safety_officer", "department_head", "staff", "outsider"]
START = local(2026, 6, 1, 8, 0)
# Before the window, in it, at its end, after it.
TIMES = [START - dt.timedelta(minutes=5), START + dt.timedelta(minutes=30), START + dt.timedelta(hours=2)]


def test_random_moves_of_tasks_stay_in_the_table(world, setup):
    plan, cp = setup["plan"], setup["checkpoint"]
    moved: set[str] = set()

    @settings(
        max_examples=20,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["submit", "submit", "sweep", "miss_by_hand"]),
                st.sampled_from([*PEOPLE, "staff", "staff"]),
                st.sampled_from(TIMES),
            ),
            min_size=1,
            max_size=5,
        )
    )
    def walk(steps):
        task = Task.objects.create(
            organization=world.inst_a,
            plan=plan,
            checkpoint=cp,
            location=cp.name,
            place_key=str(uuid.uuid4()),
            window_start=START,
            window_end=START + dt.timedelta(hours=2),
            assignee_kind=AssigneeKind.POST,
            assignee_post=world.post_a,
        )
        counts.TASKS.move({}, counts.share(task))
        for kind, who, at in steps:
            actor = world.users[who]

            def submit(actor=actor, at=at):
                return submit_record(actor=actor, task=task, answers=answers(task), now=at)

            def sweep(at=at):
                return sweep_missed(now=at)

            def by_hand(actor=actor, at=at):
                return TASK_FLOW.move(Task.objects.get(pk=task.pk), "miss", actor=actor, at=at)

            if kind == "submit":
                ok = attempt(TASK_FLOW, [task], "submit", actor, submit)
            elif kind == "sweep":
                ok = attempt(TASK_FLOW, [task], "miss", None, sweep)
                ok = ok and Task.objects.get(pk=task.pk).status == TaskStatus.MISSED
            else:  # a person tries the system's move
                ok = attempt(TASK_FLOW, [task], "miss", actor, by_hand)
                assert not ok, "a person made the sweep's move"
            if ok:
                moved.add(kind)

    walk()
    assert moved == {"submit", "sweep"}, moved
    assert counts.TASKS.differences() == {}  # the daily counts moved with every move
