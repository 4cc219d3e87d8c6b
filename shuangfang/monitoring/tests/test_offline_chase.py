"""A device gone offline escalates like an alarm (issue 14: "the loop does not chase"): one incident per
offline spell however often the sweep runs, climbing until someone acknowledges it, resolved when the
device reports again."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from shuangfang.core.outbox import drain
from shuangfang.monitoring.devices import sweep_offline
from shuangfang.monitoring.ingestion import ingest
from shuangfang.notifications import engine
from shuangfang.notifications.choices import IncidentStatus
from shuangfang.notifications.models import Incident, Notification

from .conftest import T0, telemetry

pytestmark = pytest.mark.django_db

GONE = T0 + dt.timedelta(seconds=3 * 300)


def _told(incident) -> list[str]:
    return list(
        Notification.objects.filter(incident=incident, recipient__isnull=False)
        .order_by("id")
        .values_list("recipient__username", flat=True)
    )


def test_an_offline_device_escalates_once_and_stops_when_it_is_back(kit, world):
    ingest([(kit.meter, telemetry("EL-0001", T0, residual_current_ma=1))], transport="test", now=T0)
    with time_machine.travel(GONE, tick=False) as clock:
        sweep_offline(now=GONE)
        sweep_offline(now=GONE + dt.timedelta(minutes=1))  # the sweep runs again: the same fact
        drain()
        drain()
        engine.process_due()
        incident = Incident.objects.get(kind="device.offline")
        assert Incident.objects.count() == 1
        first = _told(incident)
        assert first  # somebody is told at once (nobody on duty: the safety officer)
        clock.shift(dt.timedelta(minutes=30))
        engine.process_due()
        climbed = _told(incident)
        assert len(climbed) > len(first)  # nobody acted: the next tier
        kit.meter.refresh_from_db()
        back = GONE + dt.timedelta(minutes=31)
        ingest([(kit.meter, telemetry("EL-0001", back, residual_current_ma=1))], transport="test", now=back)
        drain()
        clock.shift(dt.timedelta(hours=3))
        engine.process_due()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert _told(incident) == climbed
