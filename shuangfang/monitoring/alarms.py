"""Alarms: one workflow (open → acknowledged → cleared), their titles and hazard descriptions, the
``alarm.*`` events, and the people's actions on them (``acknowledge_alarm``, ``clear_alarm``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.events import publish
from shuangfang.core.tenancy import require

from . import catalogue
from .choices import AlarmStatus, Category, ClearReason
from .models import Alarm, AlarmRule, Device, RuleState

HANDLER_ROLES = ["safety_officer", "institution_head"]


TRANSITIONS: dict[str, set[str]] = {
    AlarmStatus.OPEN: {AlarmStatus.ACKNOWLEDGED, AlarmStatus.CLEARED},
    AlarmStatus.ACKNOWLEDGED: {AlarmStatus.CLEARED},
    AlarmStatus.CLEARED: set(),
}


def transition(alarm: Alarm, to: str) -> None:
    if to not in TRANSITIONS[alarm.status]:
        raise ValidationError(
            _("An alarm that is %(from)s cannot become %(to)s.")
            % {"from": AlarmStatus(alarm.status).label, "to": AlarmStatus(to).label}
        )
    alarm.status = to


def alarm_label(alarm_type: str) -> str:
    return str(catalogue.ALARM_TYPES.get(alarm_type, alarm_type))


def _zh(fn, *args) -> str:
    with translation.override("zh-hans"):
        return fn(*args)


def _alarm_title(alarm: Alarm, device: Device, verb: str) -> str:
    def build() -> str:
        words = {"opened": _("alarm"), "acknowledged": _("acknowledged"), "cleared": _("cleared")}
        return f"{device.name}（{device.place or device.code}）{alarm_label(alarm.alarm_type)} {words[verb]}"

    return _zh(build)


def hazard_description(alarm: Alarm, device: Device, *, repeated_faults: int = 0) -> str:
    def build() -> str:
        text = _("%(device)s at %(place)s: %(alarm)s") % {
            "device": device.name,
            "place": device.place or device.code,
            "alarm": alarm_label(alarm.alarm_type),
        }
        if alarm.channel and alarm.last_value is not None:
            text += _(", %(channel)s = %(value)s (threshold %(threshold)s)") % {
                "channel": alarm.channel,
                "value": f"{alarm.last_value:g}",
                "threshold": "—" if alarm.threshold is None else f"{alarm.threshold:g}",
            }
        if repeated_faults:
            text += _("; the device has had %(n)s faults in 30 days") % {"n": repeated_faults + 1}
        return text + _(". Device %(code)s.") % {"code": device.code}

    return _zh(build)


def event_payload(alarm: Alarm, device: Device, verb: str) -> dict[str, Any]:
    return {
        "organization_id": alarm.organization_id,
        "object_uuid": str(alarm.uuid),
        "title": _alarm_title(alarm, device, verb),
        "url": f"/monitoring/alarms/{alarm.uuid}/",
        "severity": alarm.severity,
        "roles": HANDLER_ROLES,
        "device_uuid": str(device.uuid),
        "alarm_type": alarm.alarm_type,
    }


def publish_opened(alarm: Alarm, device: Device, rule: AlarmRule | None) -> None:
    open_hazard = bool(rule and rule.open_hazard)
    repeated = 0
    if alarm.category == Category.FAULT:
        since = alarm.opened_at - dt.timedelta(days=catalogue.REPEATED_FAULT_DAYS)
        repeated = (
            Alarm.objects.filter(device=device, category=Category.FAULT, opened_at__gte=since)
            .exclude(pk=alarm.pk)
            .count()
        )
        if repeated >= catalogue.REPEATED_FAULTS:
            open_hazard = True
        else:
            repeated = 0
    payload = event_payload(alarm, device, "opened")
    description = hazard_description(alarm, device, repeated_faults=repeated)
    if alarm.category == Category.OFFLINE:
        publish("device.offline", **payload, open_hazard=open_hazard, hazard_description=description)
    else:
        publish("alarm.opened", **payload, open_hazard=open_hazard, hazard_description=description)


def acknowledge_alarm(*, actor, alarm: Alarm, note: str = "") -> Alarm:
    require(actor, "alarm.handle", alarm.organization)
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().select_related("device").get(pk=alarm.pk)
        transition(alarm, AlarmStatus.ACKNOWLEDGED)
        alarm.acknowledged_at = timezone.now()
        alarm.acknowledged_by = actor
        if note:
            alarm.note = note[:300]
        alarm.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "note"])
        audit.record(
            actor=actor, action="alarm.acknowledge", obj=alarm, organization=alarm.organization, note=note
        )
        publish(
            "alarm.acknowledged",
            **event_payload(alarm, alarm.device, "acknowledged"),
            acknowledged_by_id=actor.pk,
        )
    return alarm


def still_alarming(alarm: Alarm) -> bool:
    """Whether the device still reports the condition (a breach counted, or its offline state)."""
    if alarm.category == Category.OFFLINE:
        return not alarm.device.online
    return RuleState.objects.filter(
        device_id=alarm.device_id, rule__alarm_type=alarm.alarm_type, breaches__gt=0
    ).exists()


def clear_alarm(*, actor, alarm: Alarm, reason: str, note: str = "") -> Alarm:
    """A person clears an alarm with a reason. "Cause removed" is refused while the device still
    reports the condition; "false alarm" and "maintenance" are always possible (and audited)."""
    require(actor, "alarm.handle", alarm.organization)
    if reason not in {ClearReason.FALSE_ALARM, ClearReason.MAINTENANCE, ClearReason.FIXED}:
        raise ValidationError(_("Choose why the alarm is cleared."))
    if reason == ClearReason.FALSE_ALARM and not note.strip():
        raise ValidationError(_("Say why this was a false alarm."))
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().select_related("device").get(pk=alarm.pk)
        if reason == ClearReason.FIXED and still_alarming(alarm):
            raise ValidationError(
                _("The device still reports this condition; it cannot be cleared as fixed yet.")
            )
        transition(alarm, AlarmStatus.CLEARED)
        alarm.cleared_at = timezone.now()
        alarm.cleared_by = actor
        alarm.clear_reason = reason
        alarm.note = (f"{alarm.note} / {note}" if alarm.note and note else note or alarm.note)[:300]
        alarm.save(update_fields=["status", "cleared_at", "cleared_by", "clear_reason", "note"])
        RuleState.objects.filter(device_id=alarm.device_id, rule__alarm_type=alarm.alarm_type).delete()
        audit.record(
            actor=actor,
            action="alarm.clear",
            obj=alarm,
            organization=alarm.organization,
            after={"reason": reason},
            note=note,
        )
        publish("alarm.cleared", **event_payload(alarm, alarm.device, "cleared"), clear_reason=reason)
    return alarm


def acknowledge_from_incident(alarm_uuid: str, user_id: int | None) -> None:
    """``incident.acknowledged`` from the notifications app: mark the alarm acknowledged (idempotent,
    no new event: the incident already stopped escalating)."""
    from shuangfang.orgs.models import User

    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().filter(uuid=alarm_uuid).first()
        if alarm is None or alarm.status != AlarmStatus.OPEN:
            return
        user = User.objects.filter(pk=user_id).first() if user_id else None
        alarm.status = AlarmStatus.ACKNOWLEDGED
        alarm.acknowledged_at = timezone.now()
        alarm.acknowledged_by = user
        alarm.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        audit.record(
            actor=user,
            action="alarm.acknowledge",
            obj=alarm,
            organization=alarm.organization,
            note="incident",
        )
