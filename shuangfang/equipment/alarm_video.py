"""The alarm page's video panel (registered in monitoring's panel registry): the cameras at the
alarm's risk point and the time window to look at, with a playback link where the recorder's
adapter can make one. The product does not stream video; the link opens the vendor's tools."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.utils import timezone

from shuangfang.core.tenancy import can
from shuangfang.monitoring.panels import Panel

from .choices import Adapter
from .models import Camera

# The window to look at around an alarm (the institution's choice, no standard found).
BEFORE = dt.timedelta(minutes=5)
AFTER = dt.timedelta(minutes=10)


def playback_url(camera: Camera, start: dt.datetime, end: dt.datetime) -> str:
    """An RTSP playback link in the ISAPI ``playbackURI`` form (track = channel × 100 + 1), for a
    player such as VLC; empty for an adapter that cannot make one."""
    rec = camera.recorder
    if rec.adapter != Adapter.ISAPI or not rec.base_url:
        return ""
    host = urlsplit(rec.base_url).hostname or ""
    fmt = "%Y%m%dT%H%M%SZ"
    return (
        f"rtsp://{host}:554/Streaming/tracks/{camera.channel * 100 + 1}/"
        f"?starttime={start.astimezone(dt.UTC):{fmt}}&endtime={end.astimezone(dt.UTC):{fmt}}"
    )


def video_panel(request, alarm) -> Panel | None:
    point_id = getattr(alarm.device, "risk_point_id", None)
    if point_id is None or not can(request.user, "equipment.view", alarm.organization):
        return None
    cameras = list(
        Camera.objects.filter(risk_point_id=point_id, is_active=True)
        .select_related("recorder")
        .order_by("name")
    )
    if not cameras:
        return None
    start = alarm.opened_at - BEFORE
    end = (alarm.cleared_at or max(alarm.last_seen_at or alarm.opened_at, alarm.opened_at)) + AFTER
    end = min(end, max(timezone.now(), start + BEFORE + AFTER))
    rows = [
        {
            "camera": cam,
            "live_url": cam.live_url or cam.recorder.live_url,
            "playback_url": playback_url(cam, start, end),
        }
        for cam in cameras
    ]
    return Panel("equipment/_alarm_video.html", {"rows": rows, "start": start, "end": end})
