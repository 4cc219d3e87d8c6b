"""Patrol routes (巡更, issue 14): an ordered round of checkpoints; skipped, missed and out-of-order
points are flagged, shown on the phone and carried into the shift handover. A controlled clock."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuangfang.duty import services as duty
from shuangfang.duty.tests.helpers import shift_a
from shuangfang.inspections import patrol
from shuangfang.inspections.checklists import create_checklist, create_checkpoint
from shuangfang.inspections.models import Task
from shuangfang.inspections.plans import create_plan, generate_tasks
from shuangfang.inspections.records import Answer
from shuangfang.inspections.taskflow import submit_record

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NINE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a round every 2 hours from 08:00: 08:00–10:00


@pytest.fixture
def route(world):
    from shuangfang.inspections import seed

    seed.load(only_if_missing=True)
    officer = world.users["safety_officer"]
    with time_machine.travel(NINE - dt.timedelta(hours=2), tick=False):
        checklist = create_checklist(
            actor=officer,
            organization=world.inst_a,
            name="巡更",
            kind="post",
            category="fire",
            library_codes=["A02"],
        )
        points = [
            create_checkpoint(actor=officer, organization=world.inst_a, name=name, building="宿舍楼")
            for name in ("大门", "东走廊", "配电间")
        ]
        plan = create_plan(
            actor=officer,
            organization=world.inst_a,
            name="夜间巡更",
            checklist=checklist,
            frequency="hours",
            rule={"interval_hours": 2, "start": "00:00", "end": "23:59"},
            assignee_kind="post",
            assignee_post=world.post_a,
            checkpoints=points,
        )
        patrol.set_route(actor=officer, plan=plan, checkpoints=points)
        generate_tasks(organizations=[world.inst_a])
    return plan, points


def _walk(world, plan, point, at):
    task = Task.objects.get(plan=plan, checkpoint=point, window_start__lte=at, window_end__gt=at)
    item = plan.checklist.items.first()
    with time_machine.travel(at, tick=False):
        submit_record(actor=world.users["staff"], task=task, answers=[Answer(str(item.uuid), "ok", "", [])])


def _flags(plan, now):
    r = patrol.current_round(plan, now)
    assert r is not None
    return [(s.checkpoint.name, s.flag) for s in r.stops]


def test_skipped_then_out_of_order_then_missed(world, route):
    plan, (gate, corridor, switch) = route
    _walk(world, plan, gate, NINE)
    _walk(world, plan, switch, NINE + dt.timedelta(minutes=10))
    assert _flags(plan, NINE + dt.timedelta(minutes=11)) == [
        ("大门", "done"),
        ("东走廊", "skipped"),
        ("配电间", "done"),
    ]
    _walk(world, plan, corridor, NINE + dt.timedelta(minutes=20))
    assert _flags(plan, NINE + dt.timedelta(minutes=21)) == [
        ("大门", "done"),
        ("东走廊", "done"),
        ("配电间", "out_of_order"),  # walked before the corridor, which comes first
    ]
    # The next round (10:00–12:00): nothing walked yet at 11:00; by noon, everything missed.
    ten = NINE + dt.timedelta(hours=1)
    assert _flags(plan, ten + dt.timedelta(hours=1)) == [
        (p.name, "pending") for p in (gate, corridor, switch)
    ]
    (late,) = patrol.rounds(plan, ten, ten + dt.timedelta(minutes=1), now=ten + dt.timedelta(hours=2))
    assert [s.flag for s in late.stops] == ["missed"] * 3


def test_a_route_is_made_of_the_plans_own_checkpoints(world, route):
    plan, points = route
    stranger = create_checkpoint(actor=world.users["safety_officer"], organization=world.inst_a, name="后门")
    with pytest.raises(ValidationError):
        patrol.set_route(actor=world.users["safety_officer"], plan=plan, checkpoints=[points[0], stranger])
    with pytest.raises(ValidationError):
        patrol.set_route(actor=world.users["safety_officer"], plan=plan, checkpoints=[points[0], points[0]])
    assert [s.checkpoint for s in plan.stops.all()] == points  # unchanged


def test_the_handover_carries_skipped_and_out_of_order_points(world, route, login):
    plan, (gate, corridor, switch) = route
    shift_a(world)  # 08:00–20:00, the cook and the department head
    _walk(world, plan, gate, NINE)
    _walk(world, plan, switch, NINE + dt.timedelta(minutes=10))
    lines = duty.open_items(
        world.inst_a, "patrol", start=NINE - dt.timedelta(hours=1), end=NINE + dt.timedelta(minutes=30)
    )
    assert len(lines) == 1 and "东走廊" in lines[0] and "夜间巡更" in lines[0]
    with time_machine.travel(NINE + dt.timedelta(minutes=30), tick=False):
        page = login(world.users["staff"]).get(reverse("duty:handover_create", args=[shift_a(world).uuid]))
    body = page.content.decode()
    assert "东走廊" in body and 'name="missed_patrol"' in body


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_route_page_on_a_phone_shows_each_stop_and_its_flag(world, route, login, lang):
    plan, (gate, corridor, switch) = route
    _walk(world, plan, switch, NINE)
    client = login(world.users["staff"])
    with time_machine.travel(NINE + dt.timedelta(minutes=5), tick=False):
        body = client.get(
            reverse("inspections:route", args=[plan.uuid]), HTTP_ACCEPT_LANGUAGE=lang
        ).content.decode()
        listing = client.get(reverse("inspections:routes"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert body.index("大门") < body.index("东走廊") < body.index("配电间")
    assert ("跳过" if lang == "zh-hans" else "Skipped") in body
    assert "夜间巡更" in listing


def test_the_order_is_set_on_a_form_and_bad_numbers_are_refused(world, route, login):
    plan, (gate, corridor, switch) = route
    client = login(world.users["safety_officer"])
    url = reverse("inspections:route_edit", args=[plan.uuid])
    bad = client.post(url, {f"pos-{gate.uuid}": "1", f"pos-{corridor.uuid}": "1", f"pos-{switch.uuid}": "x"})
    assert bad.status_code == 200
    assert [s.checkpoint for s in plan.stops.all()] == [gate, corridor, switch]
    ok = client.post(url, {f"pos-{gate.uuid}": "3", f"pos-{corridor.uuid}": "", f"pos-{switch.uuid}": "1"})
    assert ok.status_code == 302
    assert [s.checkpoint for s in plan.stops.all()] == [switch, gate]
