"""Alarms: one workflow (:data:`FLOW`, open → acknowledged → cleared), their titles and hazard
descriptions, the ``alarm.*`` events, and the people's actions on them (``acknowledge_alarm``,
``clear_alarm``).

An alarm is created open by the ingest path (``evaluation.Run``; creating it is not a move, it is
audited as ``alarm.open``); every later status change is a move of :data:`FLOW`:

========================  ==========================  ===========  ===============================
action                    from → to                   who          made by
========================  ==========================  ===========  ===============================
acknowledge               open → acknowledged         alarm.handle ``acknowledge_alarm``
acknowledge_via_incident  open → acknowledged         the system   ``acknowledge_from_incident``
clear                     open/acknowledged → cleared alarm.handle ``clear_alarm`` (with a reason)
recover                   open/acknowledged → cleared the system   ``evaluation.Run`` (in bulk)
========================  ==========================  ===========  ===============================
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit, messages
from shuangfang.core.events import publish
from shuangfang.core.limits import check_length, max_chars
from shuangfang.core.tenancy import require
from shuangfang.core.workflow import IllegalTransition, Transition, Workflow

from . import catalogue
from .choices import ACTIVE_STATUSES, AlarmStatus, Category, ClearReason
from .models import Alarm, AlarmRule, Device, RuleState

audit.register_actions(
    {
        "alarm.open": gettext_lazy("Alarm raised"),
        "alarm.acknowledge": gettext_lazy("Alarm acknowledged"),
        "alarm.acknowledge_via_incident": gettext_lazy("Alarm acknowledged through its incident"),
        "alarm.clear": gettext_lazy("Alarm cleared"),
        "alarm.recover": gettext_lazy("Alarm cleared: the device recovered"),
    }
)

NOTE_MAX = max_chars(Alarm, "note")

HANDLER_ROLES = ["safety_officer", "institution_head"]


def alarm_label(alarm_type: str) -> str:
    return str(catalogue.ALARM_TYPES.get(alarm_type, alarm_type))


def _zh(fn, *args) -> str:
    with translation.override("zh-hans"):
        return fn(*args)


messages.register_label("alarm_type", alarm_label)
messages.register(
    {
        "alarm.title.opened": gettext_lazy("%(device)s (%(place)s): %(alarm)s"),
        "alarm.title.acknowledged": gettext_lazy("%(device)s (%(place)s): %(alarm)s acknowledged"),
        "alarm.title.cleared": gettext_lazy("%(device)s (%(place)s): %(alarm)s cleared"),
    }
)


def _alarm_title(alarm: Alarm, device: Device, verb: str) -> dict[str, Any]:
    """``title`` (Chinese) and ``title_msg`` of an alarm event."""
    return messages.title_fields(
        f"alarm.title.{verb}",
        device=device.name,
        place=device.place or device.code,
        alarm=messages.label("alarm_type", alarm.alarm_type),
    )


def hazard_description(alarm: Alarm, device: Device, *, repeated_faults: int = 0) -> str:
    def build() -> str:
        text = _("%(device)s at %(place)s: %(alarm)s") % {
            "device": device.name,
            "place": device.place or device.code,
            "alarm": alarm_label(alarm.alarm_type),
        }
        if alarm.channel and alarm.last_value is not None:
            text += _(", %(channel)s = %(value)s (threshold %(threshold)s)") % {
                "channel": catalogue.channel_label(alarm.channel),
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
        **_alarm_title(alarm, device, verb),
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
    payload["criterion_code"] = rule.criterion_code if rule and open_hazard else ""
    description = hazard_description(alarm, device, repeated_faults=repeated)
    if alarm.category == Category.OFFLINE:
        publish("device.offline", **payload, open_hazard=open_hazard, hazard_description=description)
    else:
        publish("alarm.opened", **payload, open_hazard=open_hazard, hazard_description=description)


def still_alarming(alarm: Alarm) -> bool:
    """Whether the device still reports the condition (a breach counted, or its offline state)."""
    if alarm.category == Category.OFFLINE:
        return not alarm.device.online
    return RuleState.objects.filter(
        device_id=alarm.device_id, rule__alarm_type=alarm.alarm_type, breaches__gt=0
    ).exists()


# --- The workflow ------------------------------------------------------------------------------


def _organization(alarm: Alarm):
    """The alarm's institution, through its device when that is what the caller loaded (ingest)."""
    if not Alarm.organization.is_cached(alarm) and Alarm.device.is_cached(alarm):
        return alarm.device.organization
    return alarm.organization


def _stamp_acknowledged(alarm: Alarm, actor, context: dict[str, Any]) -> None:
    alarm.acknowledged_at = timezone.now()
    # Through the incident, the system moves the alarm for the person who acknowledged the incident.
    alarm.acknowledged_by = actor if actor is not None else context.get("by")
    if actor is not None and context.get("note"):
        alarm.note = context["note"]  # its length was checked by acknowledge_alarm


def _publish_acknowledged(alarm: Alarm, actor, context: dict[str, Any]) -> None:
    publish(
        "alarm.acknowledged",
        **event_payload(alarm, alarm.device, "acknowledged"),
        acknowledged_by_id=actor.pk,
    )


def _may_clear(alarm: Alarm, actor, context: dict[str, Any]) -> None:
    """ "Cause removed" is refused while the device still reports the condition; "false alarm" needs
    a note; "maintenance" is always possible (and audited)."""
    reason, note = context.get("reason"), context.get("note") or ""
    if reason not in {ClearReason.FALSE_ALARM, ClearReason.MAINTENANCE, ClearReason.FIXED}:
        raise ValidationError(_("Choose why the alarm is cleared."))
    if reason == ClearReason.FALSE_ALARM and not note.strip():
        raise ValidationError(_("Say why this was a false alarm."))
    if reason == ClearReason.FIXED and still_alarming(alarm):
        raise ValidationError(
            _("The device still reports this condition; it cannot be cleared as fixed yet.")
        )


def _stamp_cleared(alarm: Alarm, actor, context: dict[str, Any]) -> None:
    note = context.get("note") or ""
    alarm.cleared_at = timezone.now()
    alarm.cleared_by = actor
    alarm.clear_reason = context["reason"]
    alarm.note = f"{alarm.note} / {note}" if alarm.note and note else note or alarm.note  # checked


def _after_clear(alarm: Alarm, actor, context: dict[str, Any]) -> None:
    RuleState.objects.filter(device_id=alarm.device_id, rule__alarm_type=alarm.alarm_type).delete()
    publish("alarm.cleared", **event_payload(alarm, alarm.device, "cleared"), clear_reason=context["reason"])


def _stamp_recovered(alarm: Alarm, actor, context: dict[str, Any]) -> None:
    alarm.cleared_at = context["now"]
    alarm.clear_reason = ClearReason.RECOVERED
    alarm.recoveries = F("recoveries") + 1  # per row, read back


def _publish_recovered(alarm: Alarm, actor, context: dict[str, Any]) -> None:
    publish("alarm.cleared", **event_payload(alarm, alarm.device, "cleared"), clear_reason="recovered")


FLOW: Workflow[Alarm] = Workflow(
    Alarm,
    [
        Transition(
            AlarmStatus.OPEN,
            "acknowledge",
            AlarmStatus.ACKNOWLEDGED,
            who="alarm.handle",
            effects=[_stamp_acknowledged],
            then=[_publish_acknowledged],
            label=gettext_lazy("Acknowledge"),
        ),
        # No new event: the incident already stopped escalating.
        Transition(
            AlarmStatus.OPEN,
            "acknowledge_via_incident",
            AlarmStatus.ACKNOWLEDGED,
            who=None,
            effects=[_stamp_acknowledged],
            label=gettext_lazy("Acknowledge"),
        ),
        Transition(
            ACTIVE_STATUSES,
            "clear",
            AlarmStatus.CLEARED,
            who="alarm.handle",
            guard=_may_clear,
            effects=[_stamp_cleared],
            then=[_after_clear],
            label=gettext_lazy("Clear"),
        ),
        # The ingest path, in bulk (``move_many``, no lock: the claim is the conditional update).
        Transition(
            ACTIVE_STATUSES,
            "recover",
            AlarmStatus.CLEARED,
            who=None,
            effects=[_stamp_recovered],
            then=[_publish_recovered],
            label=gettext_lazy("Back to normal"),
        ),
    ],
    audit_prefix="alarm.",
    audited=("clear_reason",),
    organization=_organization,
)


# --- The people's actions ----------------------------------------------------------------------


def _fresh(alarm: Alarm) -> Alarm:
    return Alarm.objects.select_related("device", "organization").get(pk=alarm.pk)


def _check_note(alarm: Alarm, note: str) -> None:
    """The note a person types is refused past the field's limit, never cut (docs/security.md)."""
    check_length(_("note"), note, NOTE_MAX)
    if alarm.note and note:  # clearing appends to the acknowledgement's note
        check_length(_("note (with the earlier note)"), f"{alarm.note} / {note}", NOTE_MAX)


def acknowledge_alarm(*, actor, alarm: Alarm, note: str = "") -> Alarm:
    require(actor, "alarm.handle", alarm.organization)
    alarm = _fresh(alarm)
    _check_note(alarm, note)
    return FLOW.move(alarm, "acknowledge", actor=actor, note=note)


def clear_alarm(*, actor, alarm: Alarm, reason: str, note: str = "") -> Alarm:
    """A person clears an alarm with a reason (see ``_may_clear``)."""
    require(actor, "alarm.handle", alarm.organization)
    alarm = _fresh(alarm)
    _check_note(alarm, note)
    return FLOW.move(alarm, "clear", actor=actor, reason=reason, note=note)


def acknowledge_from_incident(alarm_uuid: str, user_id: int | None) -> None:
    """``incident.acknowledged`` from the notifications app: the system marks the alarm acknowledged
    by that person (idempotent, no new event: the incident already stopped escalating)."""
    from shuangfang.orgs.models import User

    alarm = Alarm.objects.select_related("device", "organization").filter(uuid=alarm_uuid).first()
    if alarm is None or alarm.status != AlarmStatus.OPEN:
        return
    user = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        FLOW.move(alarm, "acknowledge_via_incident", actor=None, by=user, note="incident")
    except IllegalTransition:
        return  # acknowledged or cleared meanwhile
