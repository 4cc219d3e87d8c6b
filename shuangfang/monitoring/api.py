"""Monitoring API: device ingestion (per-device token) and reading devices, readings and alarms
(personal token or session)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.pagination import paginate
from ninja.security import HttpBearer
from pydantic import ValidationError as PydanticError

from shuangfang.core.limits import SHORT, max_chars, text
from shuangfang.core.tenancy import get_for_user, has_perm_anywhere

from .adapters import AdapterError, adapt
from .alarms import acknowledge_alarm, clear_alarm
from .devices import device_for_token
from .evaluation import Outcome
from .ingestion import ingest, record_rejections
from .models import Alarm, Device, Reading
from .schemas import MAX_BATCH, MAX_MESSAGE_BYTES, IngestResult, Payload

router = Router(tags=["monitoring"])

MAX_BATCH_BYTES = 1024 * 1024


class DeviceTokenAuth(HttpBearer):
    """``Authorization: Bearer sfd_…``: the device's own token (never a person's)."""

    def authenticate(self, request, token: str):
        device = device_for_token(token)
        if device is None:
            record_rejections([(None, None, "http", "bad_token", request.META.get("REMOTE_ADDR", ""))])
            raise AuthenticationError(message=_("The device token is not valid."))
        return device


class Problem(Schema):
    detail: str


def _errors(exc: PydanticError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(x) for x in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', '')}" if where else str(err.get("msg", "")))
    return "; ".join(parts)


def _read(request, device: Device, limit: int) -> tuple[Any, Status | None]:
    """The JSON body, or a 413/400 answer (counted on the device)."""
    if len(request.body) > limit:
        detail = _("The payload is too large (%(n)s bytes, at most %(max)s).") % {
            "n": len(request.body),
            "max": limit,
        }
        record_rejections([(device, None, "http", "oversized", detail)])
        return None, Status(413, {"detail": detail})
    try:
        return json.loads(request.body), None
    except (ValueError, UnicodeDecodeError) as exc:
        detail = _("The payload is not valid JSON: %(e)s") % {"e": str(exc)[:120]}
        record_rejections([(device, None, "http", "malformed", detail)])
        return None, Status(400, {"detail": detail})


def _schema_ref(schema: dict) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


_PAYLOAD_SCHEMA = Payload.model_json_schema()
_BATCH_SCHEMA = {
    "type": "object",
    "required": ["messages"],
    "properties": {
        "messages": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": _PAYLOAD_SCHEMA}
    },
}


@router.post(
    "/ingest",
    auth=DeviceTokenAuth(),
    response={200: IngestResult, 400: Problem, 413: Problem, 429: Problem},
    summary="A device posts one message (canonical payload)",
    openapi_extra=_schema_ref(_PAYLOAD_SCHEMA),
)
def ingest_one(request):
    device: Device = request.auth
    data, problem = _read(request, device, MAX_MESSAGE_BYTES)
    if problem:
        return problem
    try:
        payloads = [Payload.model_validate(m) for m in adapt(device.adapter, data)]
    except AdapterError as exc:
        detail = _("The %(adapter)s message cannot be read: %(e)s") % {
            "adapter": device.get_adapter_display(),
            "e": str(exc)[:200],
        }
        record_rejections([(device, None, "http", "invalid", detail)])
        return Status(400, {"detail": detail})
    except PydanticError as exc:
        detail = _errors(exc)
        record_rejections([(device, None, "http", "invalid", detail)])
        return Status(400, {"detail": detail})
    outcome = ingest([(device, p) for p in payloads], transport="http")
    if outcome.rejected:
        reason = outcome.rejected[0]
        return Status(
            429 if reason["reason"] == "rate_limited" else 400,
            {"detail": f"{reason['reason']}: {reason['detail']}"},
        )
    return Status(200, outcome.as_dict())


@router.post(
    "/ingest/batch",
    auth=DeviceTokenAuth(),
    response={200: IngestResult, 400: Problem, 413: Problem},
    summary="A device or gateway posts up to 500 messages; each is accepted or refused on its own",
    openapi_extra=_schema_ref(_BATCH_SCHEMA),
)
def ingest_batch(request):
    device: Device = request.auth
    data, problem = _read(request, device, MAX_BATCH_BYTES)
    if problem:
        return problem
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_BATCH:
        detail = _('Send {"messages": [...]} with 1 to %(n)s messages.') % {"n": MAX_BATCH}
        record_rejections([(device, None, "http", "invalid", detail)])
        return Status(400, {"detail": detail})
    items: list[tuple[Device, Payload]] = []
    positions: list[int] = []
    invalid: list[dict[str, Any]] = []
    for i, raw in enumerate(messages):
        try:
            items.append((device, Payload.model_validate(raw)))
            positions.append(i)
        except PydanticError as exc:
            invalid.append({"index": i, "reason": "invalid", "detail": _errors(exc)})
    record_rejections([(device, None, "http", r["reason"], r["detail"]) for r in invalid])
    outcome = ingest(items, transport="http") if items else Outcome()
    for r in outcome.rejected:
        r["index"] = positions[r["index"]]
    result = outcome.as_dict()
    result["rejected"] = sorted(invalid + outcome.rejected, key=lambda r: r["index"])
    return Status(200, result)


# --- Reading ------------------------------------------------------------------------------------


class DeviceOut(Schema):
    uuid: UUID
    code: str
    name: str
    kind: str
    institution: str
    building: str
    floor: str
    location: str
    online: bool
    last_seen_at: dt.datetime | None
    last_values: dict[str, Any]
    rejected_count: int

    @staticmethod
    def resolve_institution(obj: Device) -> str:
        return obj.organization.name


class ReadingOut(Schema):
    channel: str
    ts: dt.datetime
    value: float


class AlarmOut(Schema):
    uuid: UUID
    device: UUID
    device_name: str
    alarm_type: str
    category: str
    severity: str
    status: str
    channel: str
    last_value: float | None
    threshold: float | None
    count: int
    opened_at: dt.datetime
    last_seen_at: dt.datetime
    flapping: bool

    @staticmethod
    def resolve_device(obj: Alarm) -> UUID:
        return obj.device.uuid

    @staticmethod
    def resolve_device_name(obj: Alarm) -> str:
        return obj.device.name


class ClearIn(Schema):
    reason: str = text(Alarm, "clear_reason")
    note: str = text(Alarm, "note", "")


class AckIn(Schema):
    note: str = text(Alarm, "note", "")


def _need(request, perm: str) -> None:
    if not has_perm_anywhere(request.auth, perm):
        raise PermissionDenied(perm)


@router.get("/devices", response=list[DeviceOut], summary="Devices you may see")
@paginate
def list_devices(request, kind: str | None = Query(None, max_length=SHORT)):
    _need(request, "monitoring.view")
    qs = Device.objects.for_user(request.auth, "monitoring.view").select_related("organization")
    return qs.filter(kind=kind) if kind else qs


@router.get("/devices/{uuid}", response=DeviceOut)
def get_device(request, uuid: UUID):
    return get_for_user(
        Device.objects.select_related("organization"), request.auth, "monitoring.view", uuid=uuid
    )


@router.get("/devices/{uuid}/readings", response=list[ReadingOut], summary="Recent readings, newest first")
def device_readings(
    request,
    uuid: UUID,
    channel: str | None = Query(None, max_length=max_chars(Reading, "channel")),
    hours: int = 24,
    limit: int = 500,
):
    device = get_for_user(Device, request.auth, "monitoring.view", uuid=uuid)
    since = timezone.now() - dt.timedelta(hours=max(1, min(hours, 24 * 14)))
    qs = Reading.objects.filter(device=device, ts__gte=since)
    if channel:
        qs = qs.filter(channel=channel)
    return list(qs.order_by("-ts")[: max(1, min(limit, 5000))])


@router.get("/alarms", response=list[AlarmOut], summary="Alarms you may see (active ones by default)")
@paginate
def list_alarms(request, status: str = Query("active", max_length=SHORT)):
    _need(request, "monitoring.view")
    qs = Alarm.objects.for_user(request.auth, "monitoring.view").select_related("device")
    return qs.active() if status == "active" else qs.filter(status=status) if status != "all" else qs


@router.post("/alarms/{uuid}/acknowledge", response=AlarmOut)
def acknowledge(request, uuid: UUID, body: AckIn):
    alarm = get_for_user(Alarm, request.auth, "alarm.handle", uuid=uuid)
    return acknowledge_alarm(actor=request.auth, alarm=alarm, note=body.note)


@router.post("/alarms/{uuid}/clear", response=AlarmOut)
def clear(request, uuid: UUID, body: ClearIn):
    alarm = get_for_user(Alarm, request.auth, "alarm.handle", uuid=uuid)
    return clear_alarm(actor=request.auth, alarm=alarm, reason=body.reason, note=body.note)
