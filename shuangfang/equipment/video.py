"""Recorders, cameras and the daily retention check.

Each recorder is asked, through an adapter, what it holds for each camera; the answer is compared
with the rule (``Recorder.retention_months`` calendar months, default ``catalogue.RETENTION_MONTHS``)
and a shortfall, a gap or a recorder that does not answer becomes one hazard (idempotent on its
origin while the hazard is open). Adapters:

* ``isapi``: an HTTP recorder answering the ISAPI-style content search ``POST
  /ISAPI/ContentMgmt/search`` (``CMSearchDescription`` in, ``CMSearchResult`` out), digest auth;
* ``manual``: nobody can ask the recorder; a person checks it once a month as an inspection task.

The HTTP calls run in a small thread pool with a timeout each (no database work in the threads);
one recorder that is offline, slow or answers garbage is recorded as such and never stops the others.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import os
import urllib.error
import urllib.request
import uuid as uuid_lib
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import CheckCategory
from shuangfang.orgs.models import Organization, OrgKind, User

from .catalogue import RETENTION_MONTHS
from .choices import Adapter, RetentionResult
from .models import Camera, Recorder, RetentionCheck

log = logging.getLogger(__name__)

audit.register_actions(
    {
        "recorder.create": gettext_lazy("Video recorder registered"),
        "camera.create": gettext_lazy("Camera registered"),
    }
)

TIMEOUT = getattr(settings, "RECORDER_TIMEOUT_SECONDS", 10)
MAX_BYTES = 2 * 1024 * 1024
MAX_PAGES = 40
PAGE_SIZE = 50
# A hole longer than this between two recordings counts as a gap (the institution's choice; no
# standard found: motion-only recording would need a longer one).
GAP_TOLERANCE = dt.timedelta(hours=getattr(settings, "RECORDING_GAP_HOURS", 1))
# The oldest recording may start this much after the required day (clock drift, file boundaries).
EDGE_TOLERANCE = dt.timedelta(hours=12)


# --- Registering ---------------------------------------------------------------------------------


@transaction.atomic
def create_recorder(
    *,
    actor: User,
    organization: Organization,
    name: str,
    adapter: str,
    base_url: str = "",
    username: str = "",
    secret_env: str = "",
    live_url: str = "",
    retention_months: int = RETENTION_MONTHS,
) -> Recorder:
    from . import maintenance

    require(actor, "equipment.manage", organization)
    if organization.kind != OrgKind.INSTITUTION:
        raise ValidationError(_("Equipment belongs to an institution."))
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the recorder a name."))
    if adapter not in Adapter.values:
        raise ValidationError(_("Choose how its retention is checked."))
    if adapter == Adapter.ISAPI and not base_url.startswith(("http://", "https://")):
        raise ValidationError(_("A recorder that answers over HTTP needs its address (http://…)."))
    if not 1 <= int(retention_months) <= 24:
        raise ValidationError(_("Months to keep must be between 1 and 24."))
    recorder = Recorder.objects.create(
        organization=organization,
        name=name[:80],
        adapter=adapter,
        base_url=base_url.rstrip("/"),
        username=username,
        secret_env=secret_env,
        live_url=live_url,
        retention_months=retention_months,
    )
    audit.record(
        actor=actor,
        action="recorder.create",
        obj=recorder,
        organization=organization,
        after={"name": name, "adapter": adapter},
    )
    if adapter == Adapter.MANUAL:
        maintenance.join_recorder_plan(actor=actor, recorder=recorder)
    return recorder


@transaction.atomic
def create_camera(
    *, actor: User, recorder: Recorder, channel: int, name: str, risk_point=None, live_url: str = ""
) -> Camera:
    require(actor, "equipment.manage", recorder.organization)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the camera a name."))
    if not 1 <= int(channel) <= 512:
        raise ValidationError(_("The channel must be between 1 and 512."))
    if risk_point is not None and risk_point.organization_id != recorder.organization_id:
        raise ValidationError(_("The risk point belongs to another institution."))
    if Camera.objects.filter(recorder=recorder, channel=channel).exists():
        raise ValidationError(_("Channel %(n)s of this recorder already has a camera.") % {"n": channel})
    camera = Camera.objects.create(
        organization=recorder.organization,
        recorder=recorder,
        channel=channel,
        name=name[:80],
        risk_point=risk_point,
        live_url=live_url,
    )
    audit.record(
        actor=actor,
        action="camera.create",
        obj=camera,
        organization=recorder.organization,
        after={"name": name, "channel": channel},
    )
    return camera


# --- Adapters ------------------------------------------------------------------------------------


@dataclass
class Holding:
    """What a recorder holds for one channel: its recording spans (start, end), oldest first."""

    spans: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)

    @property
    def oldest(self) -> dt.datetime | None:
        return self.spans[0][0] if self.spans else None

    def gaps(self, tolerance: dt.timedelta) -> list[tuple[dt.datetime, dt.datetime]]:
        out, reach = [], None
        for start, end in self.spans:
            if reach is not None and start - reach > tolerance:
                out.append((reach, start))
            reach = end if reach is None else max(reach, end)
        return out


class RecorderOffline(Exception):
    """The recorder did not answer (refused, unreachable, timed out)."""


class RecorderGarbage(Exception):
    """The recorder answered something that is not a content-search result."""


def search_xml(track_id: int, since: dt.datetime, until: dt.datetime, position: int, search_id: str) -> bytes:
    """The ISAPI content search request (``CMSearchDescription``)."""
    root = ET.Element(
        "CMSearchDescription", {"version": "2.0", "xmlns": "http://www.isapi.org/ver20/XMLSchema"}
    )
    ET.SubElement(root, "searchID").text = search_id
    ET.SubElement(ET.SubElement(root, "trackList"), "trackID").text = str(track_id)
    span = ET.SubElement(ET.SubElement(root, "timeSpanList"), "timeSpan")
    ET.SubElement(span, "startTime").text = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ET.SubElement(span, "endTime").text = until.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ET.SubElement(root, "maxResults").text = str(PAGE_SIZE)
    ET.SubElement(root, "searchResultPostion").text = str(position)  # sic: the API's spelling
    meta = ET.SubElement(root, "metadataList")
    ET.SubElement(meta, "metadataDescriptor").text = "//recordType.meta.std-cgi.com"
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _time(text: str | None) -> dt.datetime:
    value = (text or "").strip()
    if not value:
        raise RecorderGarbage("empty time")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RecorderGarbage(f"bad time {value[:40]!r}") from None
    if parsed.tzinfo is None:  # a recorder's local time
        parsed = parsed.replace(tzinfo=timezone.get_default_timezone())
    return parsed


def parse_search_result(body: bytes) -> tuple[list[tuple[dt.datetime, dt.datetime]], bool]:
    """(spans, more) from a ``CMSearchResult``; ``RecorderGarbage`` for anything else."""
    if b"<!DOCTYPE" in body[:2048].upper() or b"<!ENTITY" in body.upper():
        raise RecorderGarbage("document type declarations are refused")
    try:
        root = ET.fromstring(body)  # noqa: S314 - DOCTYPE/ENTITY refused above; size bounded
    except ET.ParseError as exc:
        raise RecorderGarbage(f"not XML: {exc}") from None
    if _local_name(root.tag) != "CMSearchResult":
        raise RecorderGarbage(f"unexpected answer <{_local_name(root.tag)[:40]}>")
    status = ""
    spans = []
    for el in root.iter():
        name = _local_name(el.tag)
        if name == "responseStatusStrg":
            status = (el.text or "").strip().upper()
        elif name == "timeSpan":
            times = {_local_name(c.tag): c.text for c in el}
            start, end = _time(times.get("startTime")), _time(times.get("endTime"))
            if end < start:
                raise RecorderGarbage("a recording ends before it starts")
            spans.append((start, end))
    if status not in ("OK", "MORE", "NO MATCHES", "NO MATCH"):
        raise RecorderGarbage(f"unexpected status {status[:20]!r}")
    return spans, status == "MORE"


class IsapiAdapter:
    """Asks an HTTP recorder with the ISAPI content search, page by page."""

    def __init__(self, recorder: Recorder, timeout: float | None = None):
        self.recorder = recorder
        self.timeout = timeout if timeout is not None else TIMEOUT
        handlers: list = []
        if recorder.username:
            password = os.environ.get(recorder.secret_env, "") if recorder.secret_env else ""
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, recorder.base_url, recorder.username, password)
            handlers = [
                urllib.request.HTTPDigestAuthHandler(manager),
                urllib.request.HTTPBasicAuthHandler(manager),
            ]
        self.opener = urllib.request.build_opener(*handlers)

    def _post(self, body: bytes) -> bytes:
        req = urllib.request.Request(  # noqa: S310 - the address was checked to be http(s)
            f"{self.recorder.base_url}/ISAPI/ContentMgmt/search",
            data=body,
            method="POST",
            headers={"Content-Type": "application/xml; charset=UTF-8"},
        )
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:  # noqa: S310 - http(s) only
                data = resp.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise RecorderGarbage(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise RecorderOffline(str(getattr(exc, "reason", exc))[:200]) from None
        if len(data) > MAX_BYTES:
            raise RecorderGarbage("answer too long")
        return data

    def holding(self, channel: int, since: dt.datetime, until: dt.datetime) -> Holding:
        track = channel * 100 + 1  # the main stream of the channel (101 = channel 1)
        search_id = str(uuid_lib.uuid4()).upper()
        spans: list[tuple[dt.datetime, dt.datetime]] = []
        for _page in range(MAX_PAGES):
            found, more = parse_search_result(
                self._post(search_xml(track, since, until, len(spans), search_id))
            )
            spans.extend(found)
            if not more or not found:
                break
        return Holding(sorted(spans))


ADAPTERS = {Adapter.ISAPI: IsapiAdapter}


# --- The check -----------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months away (clamped to the month's last day)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class Verdict:
    result: str
    oldest: dt.datetime | None = None
    gaps: int = 0
    detail: str = ""


def judge(holding: Holding, *, today: dt.date, months: int) -> Verdict:
    """Compare what the recorder holds with the rule: recordings back to the same day ``months``
    calendar months ago, without gaps."""
    tz = timezone.get_default_timezone()
    required = dt.datetime.combine(add_months(today, -months), dt.time(0, 0), tzinfo=tz)
    oldest = holding.oldest
    if oldest is None:
        return Verdict(RetentionResult.SHORT, None, 0, _("No recording found."))
    if oldest > required + EDGE_TOLERANCE:
        held = (dt.datetime.combine(today, dt.time(0, 0), tzinfo=tz) - oldest).days
        return Verdict(
            RetentionResult.SHORT,
            oldest,
            0,
            _("Holds %(days)s days; the rule needs recordings back to %(date)s.")
            % {"days": max(held, 0), "date": required.date()},
        )
    gaps = [g for g in holding.gaps(GAP_TOLERANCE) if g[1] > required]
    if gaps:
        first = gaps[0]
        return Verdict(
            RetentionResult.GAP,
            oldest,
            len(gaps),
            _("%(n)s gap(s) in the recordings, the first from %(start)s to %(end)s.")
            % {
                "n": len(gaps),
                "start": timezone.localtime(first[0]).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(first[1]).strftime("%Y-%m-%d %H:%M"),
            },
        )
    return Verdict(RetentionResult.OK, oldest, 0, "")


def _ask(recorder: Recorder, cameras: list[Camera], since, until) -> dict[int, Holding | Exception]:
    """Runs in a worker thread: no database access."""
    adapter = ADAPTERS[Adapter(recorder.adapter)](recorder)
    out: dict[int, Holding | Exception] = {}
    for cam in cameras:
        try:
            out[cam.pk] = adapter.holding(cam.channel, since, until)
        except RecorderOffline as exc:
            out[cam.pk] = exc
            for rest in cameras:  # an unreachable recorder: do not wait once per camera
                out.setdefault(rest.pk, exc)
            break
        except Exception as exc:  # noqa: BLE001 - garbage or a bug: recorded on this camera, the rest go on
            out[cam.pk] = exc if isinstance(exc, RecorderGarbage) else RecorderGarbage(repr(exc)[:200])
    return out


def _verdict(answer: Holding | Exception, today: dt.date, months: int) -> Verdict:
    if isinstance(answer, RecorderOffline):
        return Verdict(
            RetentionResult.OFFLINE, detail=_("The recorder did not answer: %(why)s") % {"why": answer}
        )
    if isinstance(answer, Exception):
        return Verdict(
            RetentionResult.ERROR, detail=_("The recorder answered nonsense: %(why)s") % {"why": answer}
        )
    return judge(answer, today=today, months=months)


def check_retention(*, now: dt.datetime | None = None, organizations=None) -> dict[str, int]:
    """The daily check of every recorder with an adapter that can be asked. Idempotent per camera
    and day (one ``RetentionCheck`` row; a rerun the same day changes nothing)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    recorders = (
        Recorder.objects.filter(is_active=True).exclude(adapter=Adapter.MANUAL).select_related("organization")
    )
    if organizations is not None:
        recorders = recorders.filter(organization__in=organizations)
    jobs = []
    for rec in recorders:
        cams = list(rec.cameras.filter(is_active=True).exclude(checks__day=today))
        if cams:
            since = dt.datetime.combine(
                add_months(today, -rec.retention_months) - dt.timedelta(days=1),
                dt.time(0, 0),
                tzinfo=timezone.get_default_timezone(),
            )
            jobs.append((rec, cams, since))
    counts: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [(rec, cams, pool.submit(_ask, rec, cams, since, now)) for rec, cams, since in jobs]
        for rec, cams, fut in futures:
            answers = fut.result()
            for cam in cams:
                verdict = _verdict(answers[cam.pk], today, rec.retention_months)
                try:
                    _record(cam, today, verdict, now)
                except Exception:  # one camera's bookkeeping never stops the others
                    log.exception("retention check of camera %s", cam.uuid)
                    continue
                counts[verdict.result] = counts.get(verdict.result, 0) + 1
    return counts


@transaction.atomic
def _record(camera: Camera, today: dt.date, verdict: Verdict, now: dt.datetime) -> None:
    _row, created = RetentionCheck.objects.get_or_create(
        camera=camera,
        day=today,
        defaults={
            "result": verdict.result,
            "oldest": verdict.oldest,
            "gaps": verdict.gaps,
            "detail": verdict.detail[:300],
            "checked_at": now,
        },
    )
    if created and verdict.result != RetentionResult.OK:
        _open_hazard(camera, verdict)


def _open_hazard(camera: Camera, verdict: Verdict) -> None:
    """One hazard per camera and kind of problem (per recorder when it does not answer) while it is
    open: the hazard's origin."""
    from shuangfang.hazards.choices import Source
    from shuangfang.hazards.services import report_hazard

    kind = "offline" if verdict.result in (RetentionResult.OFFLINE, RetentionResult.ERROR) else verdict.result
    label = RetentionResult(verdict.result).label
    report_hazard(
        actor=None,
        organization=camera.organization,
        title=f"{_('Video recording')}: {camera.name} · {label}"[:120],
        description=(
            f"{camera.name}（{camera.recorder.name} · {_('channel')} {camera.channel}）："
            f"{label}。{verdict.detail}"
        ),
        source=Source.OTHER,
        category=CheckCategory.SECURITY,
        risk_point=camera.risk_point,
        origin=f"video:{camera.recorder.uuid}:offline"
        if kind == "offline"
        else f"video:{camera.uuid}:{kind}",
    )
