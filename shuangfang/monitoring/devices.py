"""Devices: registration at an institution (with a token shown once), changes, token rotation and
lookup, and the offline sweep (a device silent for three heartbeat intervals raises
``device.offline``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import Severity

from . import catalogue
from .choices import Adapter, Category
from .evaluation import Outcome, Run
from .models import Channel, Device
from .rules import effective_rules, event_rule

audit.register_fields({"place": gettext_lazy("place")})
audit.register_actions(
    {
        "device.register": gettext_lazy("Device registered"),
        "device.update": gettext_lazy("Device changed"),
        "device.rotate_token": gettext_lazy("Device token replaced"),
    }
)

TOKEN_PREFIX = "sfd_"
OFFLINE_FACTOR = 3


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(24)


def _check_place(organization, department) -> None:
    if not organization.is_institution:
        raise ValidationError(_("Devices belong to an institution."))
    if department is not None and department.institution_id != organization.pk:
        raise ValidationError(_("The department is not part of this institution."))


def register_device(
    *,
    actor,
    organization,
    kind: str,
    code: str,
    name: str,
    department=None,
    building: str = "",
    floor: str = "",
    location: str = "",
    heartbeat_seconds: int = 300,
    gateway: Device | None = None,
    risk_point=None,
    adapter: str = Adapter.CANONICAL,
) -> tuple[Device, str]:
    """Register a device at an institution; returns it with its raw token (shown once)."""
    require(actor, "monitoring.manage", organization)
    _check_place(organization, department)
    if risk_point is not None and risk_point.organization_id != organization.pk:
        raise ValidationError(_("The risk point belongs to another institution."))
    code = code.strip()
    if Device.objects.filter(code=code).exists():
        raise ValidationError(_("A device with this id is already registered."))
    if gateway is not None and (gateway.organization_id != organization.pk or gateway.kind != "gateway"):
        raise ValidationError(_("The gateway must be a gateway of the same institution."))
    if adapter not in Adapter.values:
        raise ValidationError(_("Unknown payload format."))
    raw = new_token()
    with transaction.atomic():
        device = Device.objects.create(
            adapter=adapter,
            organization=organization,
            kind=kind,
            code=code,
            name=name,
            department=department,
            building=building,
            floor=floor,
            location=location,
            risk_point=risk_point,
            heartbeat_seconds=heartbeat_seconds,
            gateway=gateway,
            token_hash=hash_token(raw),
            token_prefix=raw[:8],
        )
        Channel.objects.bulk_create(
            [
                Channel(device=device, key=key, label=str(label), unit=unit)
                for key, label, unit in catalogue.CHANNELS.get(kind, [])
            ]
        )
        audit.record(
            actor=actor,
            action="device.register",
            obj=device,
            organization=organization,
            after={"code": code, "kind": kind, "name": name, "place": device.place},
        )
    return device, raw


def update_device(*, actor, device: Device, **fields) -> Device:
    require(actor, "monitoring.manage", device.organization)
    allowed = {
        "name",
        "department",
        "building",
        "floor",
        "location",
        "risk_point",
        "heartbeat_seconds",
        "is_active",
    }
    if set(fields) - allowed:
        raise ValueError(f"cannot change {set(fields) - allowed}")
    _check_place(device.organization, fields.get("department", device.department))
    point = fields.get("risk_point")
    if point is not None and point.organization_id != device.organization_id:
        raise ValidationError(_("The risk point belongs to another institution."))
    before = audit.snapshot(device, fields)
    with transaction.atomic():
        for k, v in fields.items():
            setattr(device, k, v)
        device.save(update_fields=list(fields))
        audit.record(
            actor=actor,
            action="device.update",
            obj=device,
            organization=device.organization,
            before=before,
            after=audit.snapshot(device, fields),
        )
    return device


def rotate_token(*, actor, device: Device) -> str:
    require(actor, "monitoring.manage", device.organization)
    raw = new_token()
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(token_hash=hash_token(raw), token_prefix=raw[:8])
        audit.record(actor=actor, action="device.rotate_token", obj=device, organization=device.organization)
    device.token_hash, device.token_prefix = hash_token(raw), raw[:8]
    return raw


def device_for_token(raw: str) -> Device | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    return Device.objects.select_related("organization").filter(token_hash=hash_token(raw)).first()


def sweep_offline(*, now: dt.datetime | None = None) -> list[Device]:
    """Devices silent for three heartbeat intervals go offline and raise a device-offline alarm
    (``device.offline``). Never-seen devices are not swept (they were never online)."""
    now = now or timezone.now()
    gone: list[Device] = []
    candidates = Device.objects.filter(
        is_active=True, online=True, last_seen_at__isnull=False
    ).select_related("organization")
    for device in candidates.iterator(chunk_size=500):
        assert device.last_seen_at is not None
        if now - device.last_seen_at < dt.timedelta(seconds=OFFLINE_FACTOR * device.heartbeat_seconds):
            continue
        updated = Device.objects.filter(pk=device.pk, online=True).update(online=False, offline_since=now)
        if not updated:
            continue
        device.online = False
        run = Run([device], now, Outcome())
        rule = event_rule(effective_rules(device.kind, device.organization_id), "device_offline")
        run.raise_alarm(
            device,
            alarm_type="device_offline",
            rule=rule,
            category=Category.OFFLINE,
            severity=rule.severity if rule else Severity.WARNING,
            ts=now,
        )
        run.save()
        gone.append(device)
    return gone
