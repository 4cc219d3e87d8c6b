"""The handover form is pre-filled with what the shift leaves open (issue 14: "未整改隐患 is empty
with 15 open"): the institution's open hazards (overdue first), its active alarms and the patrol
points missed in the shift. Duty imports none of those apps (their sources register in duty)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.duty import services
from shuangfang.hazards import services as hazards

from .helpers import shift_a

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _report(world, text, org=None, who="staff"):
    return hazards.report_hazard(
        actor=world.users[who] if org is None else world.users["outsider"],
        organization=org or world.inst_a,
        description=text,
        source="snap",
        location="厨房",
    )


def test_the_form_lists_open_hazards_alarms_and_the_overdue_first(world, login):
    from shuangfang.notifications.incidents import open_incident

    with time_machine.travel(NOON - dt.timedelta(days=5), tick=False):
        late = _report(world, "灭火器过期")
        hazards.assign(
            actor=world.users["safety_officer"],
            hazard=late,
            grade=HazardGrade.GENERAL,
            category=CheckCategory.FIRE,
            responsible=world.users["staff"],
            measures="更换",
            deadline=dt.date(2026, 2, 28),
        )
    with time_machine.travel(NOON - dt.timedelta(hours=1), tick=False):
        fresh = _report(world, "插线板私拉乱接")
        gone = _report(world, "通道堆物")
        hazards.reject(actor=world.users["safety_officer"], hazard=gone, reason="不是隐患")
        _report(world, "别家的隐患", org=world.inst_b)
        open_incident(
            organization=world.inst_a,
            kind="alarm.opened",
            severity="critical",
            title="厨房配电箱剩余电流超限",
            url="",
            source_kind="alarm",
            source_uuid="a-1",
        )
    with time_machine.travel(NOON, tick=False):
        page = login(world.users["staff"]).get(reverse("duty:handover_create", args=[shift_a(world).uuid]))
    form = page.context["form"]
    hazards_text = form.initial["open_hazards"]
    assert late.number in hazards_text and fresh.number in hazards_text
    assert hazards_text.index(late.number) < hazards_text.index(fresh.number)  # overdue first
    assert "逾期" in hazards_text
    assert gone.number not in hazards_text and "别家的隐患" not in hazards_text
    assert "厨房配电箱剩余电流超限" in form.initial["open_alarms"]
    body = page.content.decode()
    assert late.number in body and "厨房配电箱剩余电流超限" in body


def test_what_is_handed_over_is_kept_as_written(world):
    handover = services.write_handover(
        actor=world.users["department_head"],
        shift=shift_a(world),
        day=dt.date(2026, 1, 2),
        to_user=world.users["staff"],
        open_hazards="YH-1 灭火器过期",
        missed_patrol="夜间巡更 02:00 第2点 东走廊：跳过",
    )
    handover.refresh_from_db()
    assert handover.missed_patrol == "夜间巡更 02:00 第2点 东走廊：跳过"


def test_duty_has_one_source_per_section():
    # hazards, notifications and inspections register at start (their apps' ready()).
    assert all(services._open_item_sources[s] for s in services.SECTIONS)
