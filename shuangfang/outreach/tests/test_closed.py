"""Closed management at the gate (visitors stopped, the daily staff check, duty gaps) and the
anonymisation of old outreach data (safe twice)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuangfang.duty import services as duty
from shuangfang.outreach import closed, gate, patrols, retention
from shuangfang.outreach.gate_models import Visit
from shuangfang.outreach.models import Encounter

from .test_patrols import _photo

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=CST)


def _start(w):
    return closed.start(
        actor=w.users["staff"],
        station=w.inst_a,
        reason="疫情防控",
        rules={"stop_visitors": True, "staff_health_check": True, "medical_first": True, "duty_24h": True},
    )


def test_visitors_stopped_during_the_period_and_again_after(world):
    with time_machine.travel(T0, tick=False):
        period = _start(world)
        with pytest.raises(ValidationError, match="visitors are stopped"):
            gate.check_in(
                actor=world.users["staff"],
                organization=world.inst_a,
                data={"visitor": "甲", "purpose": "探访"},
            )
        assert not Visit.objects.exists()
        with pytest.raises(ValidationError, match="already running"):
            _start(world)
        closed.end(actor=world.users["staff"], period=period)
        v = gate.check_in(
            actor=world.users["staff"], organization=world.inst_a, data={"visitor": "甲", "purpose": "探访"}
        )
    assert v.closed_period is None


def test_staff_checked_once_a_day(world):
    with time_machine.travel(T0, tick=False):
        period = _start(world)
        closed.check_staff(actor=world.users["staff"], period=period, person="王五", result="36.5℃", fit=True)
        with pytest.raises(ValidationError, match="already checked today"):
            closed.check_staff(
                actor=world.users["staff"], period=period, person="王五", result="36.6℃", fit=True
            )
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        closed.check_staff(actor=world.users["staff"], period=period, person="王五", result="36.4℃", fit=True)
    assert period.checks.count() == 2


def test_duty_gap_during_the_period_is_flagged(world, login):
    # A day shift 08:00–20:00 only: every night of the period is a gap.
    duty.save_shift(
        actor=world.users["institution_head"],
        organization=world.inst_a,
        members=[world.users["staff"]],
        name="白班",
        start_time=dt.time(8),
        duration_minutes=12 * 60,
        rotation_start=dt.date(2026, 3, 1),
    )
    with time_machine.travel(T0, tick=False):
        period = _start(world)
        gaps = closed.duty_gaps(world.inst_a, T0, T0 + dt.timedelta(days=1))
        assert gaps == [(T0.replace(hour=20), T0.replace(day=3, hour=8))]
        page = login(world.users["staff"]).get(reverse("outreach:gate") + f"?org={world.inst_a.uuid}")
        assert "duty-gaps" in page.content.decode()
    # A night shift closes the gap.
    duty.save_shift(
        actor=world.users["institution_head"],
        organization=world.inst_a,
        members=[world.users["department_head"]],
        name="夜班",
        start_time=dt.time(20),
        duration_minutes=12 * 60,
        rotation_start=dt.date(2026, 3, 1),
    )
    with time_machine.travel(T0, tick=False):
        assert closed.period_gaps(period, ahead=dt.timedelta(days=1)) == []


def test_old_outreach_data_anonymised_once(world, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.OUTREACH_RETENTION_YEARS = 1
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(T0, tick=False):
        p = patrols.start_patrol(actor=world.users["staff"], organization=world.inst_a, team="一组")
        patrols.log_encounter(
            actor=world.users["staff"],
            patrol=p,
            data={"action": "supplies", "description": "穿红衣的老人", "place": "广场"},
            photo=_photo(),
            consent=True,
        )
        gate.check_in(
            actor=world.users["staff"],
            organization=world.inst_a,
            data={"visitor": "访客甲", "purpose": "探访", "phone": "13900001111"},
        )
        from shuangfang.outreach import register

        person = register.add_person(
            actor=world.users["bureau_supervisor"],
            organization=world.bureau,
            fields={"name": "登记甲", "category": "dementia", "community": "虚构镇虚构村", "id_number": "1"},
            photo=_photo(),
            consent=True,
        )
        assert len(list(tmp_path.rglob("*.jpg"))) == 6  # original, display copy, thumbnail, twice

        register.remove_person(actor=world.users["bureau_supervisor"], person=person, reason="迁出")
    with time_machine.travel(T0 + dt.timedelta(days=200), tick=False):
        assert retention.anonymise_due()["encounters"] == 0
    with (
        time_machine.travel(T0 + dt.timedelta(days=370), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = retention.anonymise_due()
        second = retention.anonymise_due()
    assert not any(tmp_path.rglob("*.jpg"))  # every stored file of both photos, the originals too
    assert first == {"encounters": 1, "visits": 1, "staff_checks": 0, "register": 1}
    assert second == {"encounters": 0, "visits": 0, "staff_checks": 0, "register": 0}
    e = Encounter.objects.get()
    assert (e.description, e.place, e.action) == ("", "广场", "supplies")
    assert Visit.objects.get().phone == ""
    person.refresh_from_db()
    assert person.name == "已匿名" and person.id_number == "" and person.category == "dementia"
    assert (person.photo, person.photo_thumb, person.photo_consent) == ("", "", False)
