"""The loop chases (issue 14), seen by its users: the guard walks the night patrol route on a phone
(one point skipped, one walked out of order), the shift handover form comes pre-filled with the open
hazards, the active alarm and those patrol points, and the safety officer reads the risk inventory
with its control status, monitoring method and re-assessment columns on a desktop."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from shuangfang.duty.tests.helpers import shift_a
from shuangfang.hazards import services as hazards
from shuangfang.inspections import patrol, seed
from shuangfang.inspections.checklists import create_checklist, create_checkpoint
from shuangfang.inspections.models import Task
from shuangfang.inspections.plans import create_plan, generate_tasks
from shuangfang.inspections.records import Answer
from shuangfang.inspections.taskflow import submit_record
from shuangfang.notifications.incidents import open_incident
from shuangfang.risks.models import AssessmentMethod
from shuangfang.risks.seed import seed_methods
from shuangfang.risks.tests.fixtures import risk_world

from .test_foundation_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path("/tmp/shots/chase14")


def _keep(path: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, OUT / path.name)


@pytest.fixture
def night(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed.load(only_if_missing=True)
    if not AssessmentMethod.objects.exists():  # flushed by an earlier transactional test
        seed_methods(AssessmentMethod)
    officer = world.users["safety_officer"]
    point = risk_world(world).point
    checklist = create_checklist(
        actor=officer,
        organization=world.inst_a,
        name="夜间巡更",
        kind="post",
        category="fire",
        library_codes=["A02"],
    )
    names = [("大门岗亭", "门卫室"), ("东走廊", "宿舍楼 2F"), ("配电间", "综合楼 1F"), ("厨房", "综合楼 1F")]
    points = [
        create_checkpoint(actor=officer, organization=world.inst_a, name=n, building=b.split()[0])
        for n, b in names
    ]
    plan = create_plan(
        actor=officer,
        organization=world.inst_a,
        name="夜间消防巡更",
        checklist=checklist,
        frequency="hours",
        rule={"interval_hours": 2},
        assignee_kind="post",
        assignee_post=world.post_a,
        checkpoints=points,
    )
    patrol.set_route(actor=officer, plan=plan, checkpoints=points)
    generate_tasks(organizations=[world.inst_a])
    now = timezone.now()
    item = checklist.items.get()
    for cp in (points[0], points[2], points[1]):  # the corridor after the switch room: out of order
        task = Task.objects.get(plan=plan, checkpoint=cp, window_start__lte=now, window_end__gt=now)
        submit_record(actor=world.users["staff"], task=task, answers=[Answer(str(item.uuid), "ok", "", [])])
    late = hazards.report_hazard(
        actor=world.users["staff"],
        organization=world.inst_a,
        description="厨房灭火器压力不足",
        source="snap",
        risk_point=point,
    )
    hazards.assign(
        actor=officer,
        hazard=late,
        grade="general",
        category="fire",
        responsible=world.users["staff"],
        measures="更换灭火器",
        deadline=timezone.localdate() + dt.timedelta(days=3),
    )
    for text in ("燃气软管老化", "灶台油污堆积"):
        hazards.report_hazard(
            actor=world.users["staff"],
            organization=world.inst_a,
            description=text,
            source="snap",
            risk_point=point,
        )
    open_incident(
        organization=world.inst_a,
        kind="alarm.opened",
        severity="critical",
        title="厨房配电箱剩余电流 352 mA，超过 300 mA",
        url="",
        source_kind="alarm",
        source_uuid="e2e-alarm",
    )
    return plan


def test_the_guard_walks_the_route_and_hands_over_on_a_phone(
    live_server, world, night, phone, shot, browser_errors
):
    errors = browser_errors(phone)
    log_in(phone, live_server.url, "cook_a")
    phone.goto(f"{live_server.url}/inspections/routes/")
    assert "夜间消防巡更" in phone.inner_text("body")
    phone.click("text=夜间消防巡更")
    body = phone.inner_text("body")
    assert "顺序颠倒" in body and "待巡" in body
    _keep(shot(phone, "chase-route-phone-zh"))
    phone.goto(f"{live_server.url}/duty/shifts/{shift_a(world).uuid}/handover/")
    hazards_box = phone.input_value("textarea[name=open_hazards]")
    assert "厨房灭火器压力不足" in hazards_box and "燃气软管老化" in hazards_box
    assert "剩余电流" in phone.input_value("textarea[name=open_alarms]")
    assert "配电间" in phone.input_value("textarea[name=missed_patrol]")
    _keep(shot(phone, "chase-handover-phone-zh"))
    assert errors == []


def test_the_officer_reads_the_inventory_and_the_route_on_a_desktop(live_server, world, night, desktop, shot):
    log_in(desktop, live_server.url, "officer_a")
    desktop.goto(f"{live_server.url}/risks/inventory/")
    body = desktop.inner_text("body")
    assert "管控状态" in body and "监测监控方式" in body and "预警" in body
    assert "到期：90 天内 3 条隐患" in body  # three hazards at the kitchen within 90 days
    _keep(shot(desktop, "chase-inventory-desktop-zh"))
    desktop.goto(f"{live_server.url}/inspections/routes/{night.uuid}/")
    _keep(shot(desktop, "chase-route-desktop-zh"))
    desktop.goto(f"{live_server.url}/duty/shifts/{shift_a(world).uuid}/handover/")
    _keep(shot(desktop, "chase-handover-desktop-zh"))


def test_in_english(live_server, world, night, phone, shot):
    log_in(phone, live_server.url, "officer_a")
    phone.click("button[name=language][value=en]")
    phone.goto(f"{live_server.url}/inspections/routes/{night.uuid}/")
    body = phone.inner_text("body")
    assert "Out of order" in body and "Patrol route" in body
    _keep(shot(phone, "chase-route-phone-en"))
    phone.goto(f"{live_server.url}/inspections/routes/{night.uuid}/edit/")
    assert "Route order" in phone.inner_text("body")
    _keep(shot(phone, "chase-route-edit-phone-en"))
    phone.goto(f"{live_server.url}/risks/inventory/")
    assert "Control status" in phone.inner_text("body")
    _keep(shot(phone, "chase-inventory-phone-en"))
