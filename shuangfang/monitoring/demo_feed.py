"""The demo city stays alive: while ``make run`` is up, the demo's own devices (codes ``DEMO-…``,
``monitoring/demo.py``) keep reporting, so the offline sweep does not mark them offline after three
heartbeats and flood the safety officer with "device offline" hazards.

``feed_demo_devices`` sends one round: a normal reading per demo device (the demo's daily curve), or
a bare heartbeat for a device with an alarm still open (the demo's story alarm stays open until
someone clears it; a normal reading would clear it by itself). It goes through ``ingest`` like any
device message (transport ``demo``), so a device that had gone offline comes back and its offline
alarm and incident are resolved. Run by ``manage.py simulate_demo`` (a child of ``manage.py serve``
when ``DEMO_SIMULATOR`` is on: ``make run`` turns it on; it is off by default, for production)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .choices import ACTIVE_STATUSES, Category
from .demo import telemetry
from .ingestion import MemoryLimiter, ingest
from .models import Alarm, Device
from .schemas import Payload

DEMO_PREFIX = "DEMO-"
# A round every minute: well inside the demo devices' heartbeat (300 s), so none goes offline.
INTERVAL_SECONDS = 60


def feed_demo_devices(now: dt.datetime | None = None) -> int:
    """One round for every active demo device; returns how many messages were accepted."""
    now = (now or timezone.now()).replace(microsecond=0)
    devices = list(
        Device.objects.filter(is_active=True, code__startswith=DEMO_PREFIX).select_related("organization")
    )
    alarming = set(
        Alarm.objects.filter(device__in=devices, status__in=ACTIVE_STATUSES)
        .exclude(category=Category.OFFLINE)
        .values_list("device_id", flat=True)
    )
    local = timezone.localtime(now)
    items = []
    for device in devices:
        if device.pk in alarming:
            message = {"device_id": device.code, "ts": now.isoformat(), "type": "heartbeat"}
        else:
            message = telemetry(device, now, local.hour + local.minute / 60, alarm=False)
        items.append((device, Payload.model_validate(message)))
    if not items:
        return 0
    return ingest(items, transport="demo", now=now, limiter=MemoryLimiter()).accepted
