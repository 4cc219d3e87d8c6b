"""Property test of the alarm table (``alarms.FLOW``): random people (and the system: the ingest
path's recovery, an acknowledged incident) trying random moves on an alarm never make a move outside
the table, and every move writes exactly one audit row naming its actor (``None`` for the system)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangfang.core.tests.workflow_checks import PEOPLE_AND_SYSTEM as PEOPLE
from shuangfang.core.tests.workflow_checks import attempt
from shuangfang.monitoring import alarms
from shuangfang.monitoring.choices import AlarmStatus, Category, ClearReason
from shuangfang.monitoring.evaluation import Outcome, Run
from shuangfang.monitoring.models import Alarm

from .conftest import T0

pytestmark = pytest.mark.django_db

ACTIONS = sorted(alarms.FLOW.rows)
REASONS = [*ClearReason.values, "whatever"]


def test_random_moves_by_random_people_stay_in_the_table(world, kit):
    numbers = itertools.count()
    moved: set[str] = set()

    @settings(
        max_examples=30,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.data(), st.integers(min_value=1, max_value=5))
    def walk(data, n):
        alarm = Alarm.objects.create(
            organization=world.inst_a,
            device=kit.meter,
            alarm_type=f"test_{next(numbers)}",  # one active alarm per device and type
            category=Category.ALARM,
            severity="warning",
            opened_at=T0,
            last_seen_at=T0,
        )
        for _ in range(n):
            alarm.refresh_from_db()
            # Half of the tries are of an action the alarm's state allows, by whoever makes it, so
            # that walks get far; the others are of any action at all, by anyone.
            if data.draw(st.booleans(), label="possible now"):
                possible = sorted(a for a in ACTIONS if alarms.FLOW.row(alarm, a) is not None)
                action = data.draw(st.sampled_from(possible or ACTIONS), label="action")
                if alarms.FLOW.rows[action][0].who is None:
                    who = None  # a system move
                else:
                    who = data.draw(st.sampled_from(["safety_officer", "institution_head"]), label="who")
            else:
                action = data.draw(st.sampled_from(ACTIONS), label="action")
                who = data.draw(st.sampled_from(PEOPLE), label="who")
            reason = data.draw(st.sampled_from(REASONS), label="reason")
            note = data.draw(st.sampled_from(["", "误报：测试按钮"]), label="note")
            actor = world.users[who] if who else None
            staff = world.users["staff"]

            def do(alarm=alarm, action=action, actor=actor, reason=reason, note=note, staff=staff):
                if actor is not None and action == "acknowledge":
                    return alarms.acknowledge_alarm(actor=actor, alarm=alarm, note=note)
                if actor is not None and action == "clear":
                    return alarms.clear_alarm(actor=actor, alarm=alarm, reason=reason, note=note)
                if actor is None and action == "acknowledge_via_incident":
                    return alarms.acknowledge_from_incident(str(alarm.uuid), staff.pk)
                if actor is None and action == "recover":
                    run = Run([kit.meter], T0 + dt.timedelta(minutes=1), Outcome())
                    return run.recover(kit.meter, alarm.alarm_type)
                return alarms.FLOW.move(alarm, action, actor=actor, reason=reason, note=note, now=T0)

            before = alarm.status  # the services move the object in hand
            if attempt(alarms.FLOW, [alarm], action, actor, do):
                fresh = Alarm.objects.get(pk=alarm.pk)
                if fresh.status != before:
                    moved.add(action)
                    # The row records the move too.
                    if fresh.status == AlarmStatus.ACKNOWLEDGED:
                        assert fresh.acknowledged_at and fresh.acknowledged_by == (actor or staff)
                    else:
                        assert fresh.cleared_at and fresh.cleared_by == actor
                        assert fresh.clear_reason == (reason if actor else ClearReason.RECOVERED)

    walk()
    assert moved == set(ACTIONS), moved
