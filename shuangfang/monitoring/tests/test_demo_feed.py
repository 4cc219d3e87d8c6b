"""The demo city stays alive (issue 14): the demo feed keeps the demo devices reporting, so the
offline sweep finds none of them silent; real devices are never fed; ``serve`` runs the feed only
when ``DEMO_SIMULATOR`` is on."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from shuangfang.monitoring.demo_feed import INTERVAL_SECONDS, feed_demo_devices
from shuangfang.monitoring.devices import register_device, sweep_offline
from shuangfang.monitoring.ingestion import ingest
from shuangfang.monitoring.models import Alarm, Device
from shuangfang.monitoring.rules import ensure_default_rules, invalidate_rules

from .conftest import T0, telemetry

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(world):
    invalidate_rules()
    ensure_default_rules()
    officer = world.users["safety_officer"]
    made = {}
    for code, kind in [("DEMO-EL-01", "electricity"), ("DEMO-SM-01", "smoke"), ("EL-REAL-1", "electricity")]:
        device, _token = register_device(
            actor=officer, organization=world.inst_a, kind=kind, code=code, name=code, heartbeat_seconds=300
        )
        made[code] = device
    ingest(
        [(d, telemetry(d.code, T0, residual_current_ma=1)) for d in made.values() if d.kind == "electricity"]
        + [(made["DEMO-SM-01"], telemetry("DEMO-SM-01", T0, smoke_obscuration=0.3))],
        transport="test",
        now=T0,
    )
    return made


def _online() -> dict[str, bool]:
    return dict(Device.objects.values_list("code", "online"))


def test_with_the_feed_running_no_demo_device_goes_offline(fleet):
    now = T0
    for _minute in range(60):  # an hour of the demo: a round a minute, the sweep every minute
        now += dt.timedelta(seconds=INTERVAL_SECONDS)
        with time_machine.travel(now, tick=False):
            assert feed_demo_devices(now) == 2
            sweep_offline(now=now)
    assert _online() == {"DEMO-EL-01": True, "DEMO-SM-01": True, "EL-REAL-1": False}
    assert list(Alarm.objects.values_list("device__code", "alarm_type")) == [("EL-REAL-1", "device_offline")]


def test_a_demo_device_that_went_offline_comes_back(fleet):
    later = T0 + dt.timedelta(hours=2)
    sweep_offline(now=later)
    assert not any(_online().values())
    with time_machine.travel(later, tick=False):
        feed_demo_devices(later)
    assert _online() == {"DEMO-EL-01": True, "DEMO-SM-01": True, "EL-REAL-1": False}
    offline = Alarm.objects.filter(alarm_type="device_offline", device__code__startswith="DEMO-")
    assert {a.status for a in offline} == {"cleared"}


def test_serve_runs_the_feed_only_when_asked(settings):
    from shuangfang.core.management.commands.serve import children

    settings.DEMO_SIMULATOR = False
    assert [c.name for c in children(["web"], "/")] == ["web", "worker"]
    settings.DEMO_SIMULATOR = True
    kids = children(["web"], "/")
    assert [c.name for c in kids] == ["web", "worker", "demo"]
    assert kids[-1].argv[-1] == "simulate_demo"


def test_a_demo_device_with_an_open_alarm_keeps_it_open(fleet):
    from shuangfang.monitoring.choices import AlarmStatus

    meter = fleet["DEMO-EL-01"]
    alarm_at = T0 + dt.timedelta(minutes=1)
    ingest(
        [
            (meter, telemetry("DEMO-EL-01", alarm_at + dt.timedelta(seconds=i), residual_current_ma=350))
            for i in range(3)
        ],
        transport="test",
        now=alarm_at + dt.timedelta(seconds=5),
    )
    alarm = Alarm.objects.get(device=meter, alarm_type__startswith="residual")
    assert alarm.status == AlarmStatus.OPEN
    later = T0 + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        feed_demo_devices(later)  # a heartbeat, not a normal reading: the story's alarm stays open
    alarm.refresh_from_db()
    meter.refresh_from_db()
    assert alarm.status == AlarmStatus.OPEN and meter.online


def test_the_command_feeds_a_round(fleet):
    from django.core.management import call_command

    later = T0 + dt.timedelta(hours=2)
    sweep_offline(now=later)
    with time_machine.travel(later, tick=False):
        call_command("simulate_demo", once=True)
    assert _online() == {"DEMO-EL-01": True, "DEMO-SM-01": True, "EL-REAL-1": False}
