"""The two small additions the equipment app uses: every N days from an anchor (DAILY with
``interval_days``), and checkpoints joining a plan with the windows open now created at once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shuangfang.inspections import recurrence
from shuangfang.inspections.checklists import create_checklist, create_checkpoint
from shuangfang.inspections.models import Task
from shuangfang.inspections.plans import add_checkpoints, create_plan

from .conftest import local


def test_every_15_days_from_the_anchor():
    rule = {"interval_days": 15, "anchor": "2026-01-01", "time": "08:00", "window_minutes": 60 * 24 * 15}
    wins = recurrence.occurrences("daily", rule, dt.date(2026, 1, 10), dt.date(2026, 3, 5))
    assert [w[0].date() for w in wins] == [
        dt.date(2026, 1, 16),
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 15),
        dt.date(2026, 3, 2),
    ]
    assert wins[0][1] - wins[0][0] == dt.timedelta(days=15)
    # without the key, daily stays daily
    assert len(recurrence.occurrences("daily", {}, dt.date(2026, 1, 1), dt.date(2026, 1, 3))) == 3


@pytest.mark.parametrize(
    "rule", [{"interval_days": 0}, {"interval_days": 400}, {"interval_days": 3, "anchor": "x"}]
)
def test_bad_interval_refused(rule):
    with pytest.raises(ValidationError):
        recurrence.validate("daily", rule)


@pytest.mark.django_db
def test_a_checkpoint_joining_gets_the_window_open_now(world):
    import time_machine

    officer = world.users["safety_officer"]
    with time_machine.travel(local(2026, 3, 20, 9), tick=False):
        checklist = create_checklist(
            actor=officer, organization=world.inst_a, name="灭火器", kind="specialist", category="fire"
        )
        first = create_checkpoint(actor=officer, organization=world.inst_a, name="一楼")
        plan = create_plan(
            actor=officer, organization=world.inst_a, name="月检", checklist=checklist, frequency="monthly",
            rule={"month_day": 1, "window_minutes": 60 * 24 * 28},
            assignee_kind="role", assignee_role="safety_officer",
            checkpoints=[first],
        )  # fmt: skip
        late = create_checkpoint(actor=officer, organization=world.inst_a, name="二楼")
        assert add_checkpoints(actor=officer, plan=plan, checkpoints=[late]) == 1
        assert add_checkpoints(actor=officer, plan=plan, checkpoints=[late]) == 0  # idempotent
        task = Task.objects.get(checkpoint=late)
        assert task.window_start == local(2026, 3, 1, 8) and task.window_end > local(2026, 3, 20, 9)
        with pytest.raises(ValidationError):
            other = create_checkpoint(actor=world.users["outsider"], organization=world.inst_b, name="B")
            add_checkpoints(actor=officer, plan=plan, checkpoints=[other])
