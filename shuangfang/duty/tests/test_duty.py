"""Rosters: who is on duty now (rotation, night shifts across midnight, swaps), and the handover."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from shuangfang.duty import services
from shuangfang.duty.models import Handover, HandoverStatus

from .helpers import handover_a, shift_a

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=SH)


@pytest.fixture
def roster(world):
    day = shift_a(world)  # 08:00–20:00, cook on 1 Jan, department head on 2 Jan, …
    night = services.save_shift(
        actor=world.root,
        organization=world.inst_a,
        members=[world.users["safety_officer"], world.users["institution_head"]],
        name="夜班",
        start_time=dt.time(20, 0),
        duration_minutes=12 * 60,
        rotation_start=dt.date(2026, 1, 1),
    )
    return day, night


def names(users) -> list[str]:
    return sorted(u.username for u in users)


def test_rotation_day_and_night_across_midnight(world, roster):
    assert names(services.on_duty(world.inst_a, at(1, 9))) == ["cook_a"]
    assert names(services.on_duty(world.inst_a, at(2, 9))) == ["depthead_a"]
    assert names(services.on_duty(world.inst_a, at(3, 9))) == ["cook_a"]
    assert names(services.on_duty(world.inst_a, at(1, 21))) == ["officer_a"]
    # 3 a.m. on 2 Jan still belongs to the night shift that began on 1 Jan.
    assert names(services.on_duty(world.inst_a, at(2, 3))) == ["officer_a"]
    assert names(services.on_duty(world.inst_a, at(2, 21))) == ["head_a"]
    # Boundaries: 08:00 belongs to the day shift, 20:00 to the night.
    assert names(services.on_duty(world.inst_a, at(2, 8))) == ["depthead_a"]
    assert names(services.on_duty(world.inst_a, at(2, 20))) == ["head_a"]


def test_on_duty_for_a_post_and_from_a_department(world, roster):
    assert names(services.on_duty(world.inst_a, at(1, 9), post=world.post_a)) == ["cook_a"]
    assert services.on_duty(world.inst_a, at(1, 21), post=world.post_a) == []
    assert names(services.on_duty(world.dept_a, at(1, 21))) == ["officer_a"]
    assert services.on_duty(world.inst_b, at(1, 21)) == []


def test_an_override_swaps_one_day(world, roster):
    day, _night = roster
    services.set_override(
        actor=world.users["safety_officer"],
        shift=day,
        day=dt.date(2026, 1, 3),
        user=world.users["department_head"],
        reason="调班",
    )
    assert names(services.on_duty(world.inst_a, at(3, 9))) == ["depthead_a"]
    assert names(services.on_duty(world.inst_a, at(5, 9))) == ["cook_a"]
    now, nxt = services.now_and_next(world.inst_a, at(3, 9))
    assert now[0].overridden and nxt[0].shift.name == "夜班"


def test_only_managers_change_the_roster_and_only_with_their_people(world, roster):
    day, _night = roster
    with pytest.raises(PermissionDenied):
        services.set_override(
            actor=world.users["staff"], shift=day, day=dt.date(2026, 1, 3), user=world.users["staff"]
        )
    with pytest.raises(ValidationError):
        services.set_override(
            actor=world.root, shift=day, day=dt.date(2026, 1, 3), user=world.users["outsider"]
        )
    with pytest.raises(ValidationError):
        services.save_shift(
            actor=world.root,
            organization=world.inst_a,
            members=[],
            name="空班",
            start_time=dt.time(8),
            duration_minutes=60,
            rotation_start=dt.date(2026, 1, 1),
        )


def test_handover_is_signed_by_both(world):
    handover = handover_a(world)
    assert handover.status == HandoverStatus.DRAFT and handover.from_signed_at
    with pytest.raises(PermissionDenied):
        services.sign_handover(actor=world.users["safety_officer"], handover=handover)
    signed = services.sign_handover(actor=world.users["staff"], handover=handover)
    assert signed.status == HandoverStatus.SIGNED and signed.to_signed_at
    with pytest.raises(ValidationError):
        services.sign_handover(actor=world.users["staff"], handover=handover)


def test_board_page_shows_now_and_next(world, roster, login, django_assert_max_num_queries):
    with time_machine.travel(at(2, 3), tick=False):
        client = login(world.users["staff"])
        with django_assert_max_num_queries(20):
            page = client.get("/duty/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "officer_a" in text and "夜班" in text


def test_handover_through_the_pages(world, roster, login):
    day, _night = roster
    with time_machine.travel(at(1, 19, 50), tick=False):
        client = login(world.users["staff"])
        page = client.get(f"/duty/shifts/{day.uuid}/handover/")
        assert page.status_code == 200
        done = client.post(
            f"/duty/shifts/{day.uuid}/handover/",
            {
                "to_user": world.users["safety_officer"].pk,
                "open_alarms": "无",
                "open_hazards": "厨房灭火器过期",
                "notes": "",
            },
        )
        assert done.status_code == 302
    handover = Handover.objects.get(shift=day)
    assert handover.from_user == world.users["staff"] and handover.day == dt.date(2026, 1, 1)
    client = login(world.users["safety_officer"])
    client.post(f"/duty/handovers/{handover.uuid}/sign/")
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.SIGNED


def test_shift_form_refuses_unknown_people(world, login):
    client = login(world.users["institution_head"])
    page = client.post(
        f"/duty/institutions/{world.inst_a.uuid}/shifts/new/",
        {
            "name": "24 小时班",
            "start_time": "08:00",
            "duration_hours": "24",
            "rotation_start": "2026-01-01",
            "days_per_turn": "1",
            "members": "cook_a\nhead_b",
        },
    )
    assert page.status_code == 200
    assert "head_b" in page.content.decode()
    ok = client.post(
        f"/duty/institutions/{world.inst_a.uuid}/shifts/new/",
        {
            "name": "24 小时班",
            "start_time": "08:00",
            "duration_hours": "24",
            "rotation_start": "2026-01-01",
            "days_per_turn": "1",
            "members": "cook_a\ndepthead_a",
        },
    )
    assert ok.status_code == 302
    assert names(services.on_duty(world.inst_a, at(2, 7))) == ["cook_a"]


def test_the_handover_form_lists_open_alarms(world, roster, login):
    from shuangfang.notifications.incidents import open_incident

    day, _night = roster
    open_incident(
        organization=world.inst_a,
        kind="alarm.opened",
        severity="critical",
        title="配电室温度过高",
        url="",
        source_kind="alarm",
        source_uuid="h-1",
    )
    page = login(world.users["staff"]).get(f"/duty/shifts/{day.uuid}/handover/")
    assert "配电室温度过高" in page.content.decode()
