"""The MQTT listeners' watchdog: readings wait on the broker while no listener is alive (the
shipped broker configuration queues 16 minutes of full load, see docs/operations.md), so an outage
must reach people before the queue fills.

Each connected listener writes a ``ListenerBeat`` every ``mqtt.BEAT_SECONDS``. When MQTT is
configured (``MQTT_URL``), devices have reported before, and no listener has beaten for
``MQTT_LISTENER_SILENCE`` seconds (120), the listeners are **down**:

- ``check_listeners`` (every minute, with the offline sweep) publishes ``ops.listener_down`` to the
  operators (``system.operate`` at each top organisation), once per outage (the origin names the
  last beat), and the offline sweep is skipped: the devices are not silent, the platform is deaf,
  and marking them all offline would flood every institution with false alarms;
- ``/health/ready`` answers 503 with ``mqtt_listener`` (``health``, registered in
  ``HEALTH_CHECKS``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from shuangfang.core import events, messages
from shuangfang.core.permissions import roles_with
from shuangfang.core.vocabulary import Severity
from shuangfang.orgs.models import Organization

from .models import Device, ListenerBeat


def silence() -> int:
    return int(getattr(settings, "MQTT_LISTENER_SILENCE", 120))


def last_beat() -> dt.datetime | None:
    return ListenerBeat.objects.aggregate(last=Max("last_beat_at"))["last"]


def listeners_down(now: dt.datetime | None = None) -> bool:
    """True when MQTT is configured, devices have reported, and no listener beat recently."""
    if not getattr(settings, "MQTT_URL", ""):
        return False
    now = now or timezone.now()
    last = last_beat()
    if last is not None and (now - last).total_seconds() <= silence():
        return False
    return Device.objects.filter(is_active=True, last_seen_at__isnull=False).exists()


def check_listeners(now: dt.datetime | None = None) -> bool:
    """Tell the operators when the listeners are down (once per outage); True while they are."""
    now = now or timezone.now()
    if not listeners_down(now):
        return False
    last = last_beat()
    since = last.isoformat() if last else "never"
    roles = sorted(roles_with("system.operate"))
    title = messages.title_fields("ops.listener_down", n=silence())
    for org in Organization.objects.filter(parent__isnull=True):
        events.publish(
            "ops.listener_down",
            organization_id=org.pk,
            object_uuid=str(org.uuid),
            **title,
            url="/health/ready",
            severity=Severity.CRITICAL,
            roles=roles,
            since=since,
        )
    return True


def tell_broker_dropped(n: int, *, since: str) -> None:
    """The broker dropped ``n`` messages (``$SYS/broker/publish/messages/dropped`` rose: a full
    queue): the operators are told (``ops.broker_dropped``), once per ``since`` (the listener passes
    the hour)."""
    roles = sorted(roles_with("system.operate"))
    title = messages.title_fields("ops.broker_dropped", n=n)
    for org in Organization.objects.filter(parent__isnull=True):
        events.publish(
            "ops.broker_dropped",
            organization_id=org.pk,
            object_uuid=str(org.uuid),
            **title,
            url="/health/ready",
            severity=Severity.CRITICAL,
            roles=roles,
            since=since,
        )


def health() -> tuple[str, dict[str, object]]:
    """For ``/health/ready``: (problem or "", details)."""
    if not getattr(settings, "MQTT_URL", ""):
        return "", {}
    last = last_beat()
    body: dict[str, object] = {"mqtt_last_beat": last.isoformat() if last else None}
    return ("mqtt_listener" if listeners_down() else ""), body
