"""Closed management (封闭式管理, the epidemic-readiness part of issue 19) at a relief station: a
period with its rules, from its start until it is ended, applied at the gate:

* **visitors stopped**: the gate refuses a visitor's check-in during the period (with the reason);
* **staff health check at the gate each day**: one check per staff member and day, recorded at the
  gate; the page lists today's checks;
* **new entrants through the medical-first rule** (先救治后救助): the gate page reminds the desk,
  relief's screening step does it;
* **24-hour duty** through the duty roster: every hour of the period not covered by a shift holder
  is a **gap**, flagged on the gate page (``duty_gaps``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.relief import persons

from .gate_models import ClosedPeriod, StaffCheck

audit.register_actions(
    {
        "outreach.closed_started": gettext_lazy("Started closed management"),
        "outreach.closed_ended": gettext_lazy("Ended closed management"),
        "outreach.staff_checked": gettext_lazy("Recorded a staff health check at the gate"),
    }
)
RULES = ("stop_visitors", "staff_health_check", "medical_first", "duty_24h")


def running(station, at: dt.datetime | None = None) -> ClosedPeriod | None:
    at = at or timezone.now()
    return (
        ClosedPeriod.objects.filter(organization=station, started_at__lte=at)
        .filter(ended_at__isnull=True)
        .first()
    )


def start(*, actor, station, reason: str, rules: dict[str, Any]) -> ClosedPeriod:
    require(actor, "outreach.manage", station)
    persons.require_station(station)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Write why the station closes.")})
    with transaction.atomic():
        if (
            ClosedPeriod.objects.select_for_update()
            .filter(organization=station, ended_at__isnull=True)
            .exists()
        ):
            raise ValidationError(_("Closed management is already running: end it first."))
        period = ClosedPeriod.objects.create(
            organization=station,
            reason=reason.strip()[:200],
            started_at=timezone.now(),
            started_by=actor,
            **{k: bool(rules.get(k)) for k in RULES},
        )
        audit.record(actor=actor, action="outreach.closed_started", obj=period, organization=station)
    return period


def end(*, actor, period: ClosedPeriod) -> ClosedPeriod:
    require(actor, "outreach.manage", period.organization)
    with transaction.atomic():
        if not ClosedPeriod.objects.filter(pk=period.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), ended_by=actor
        ):
            raise ValidationError(_("This closed-management period has already ended."))
        audit.record(
            actor=actor, action="outreach.closed_ended", obj=period, organization=period.organization
        )
    period.refresh_from_db()
    return period


def refuse_visitor(station, at: dt.datetime) -> None:
    """The gate's rule: no visitor during a period that stops visitors."""
    period = running(station, at)
    if period is not None and period.stop_visitors:
        raise ValidationError(
            _("Closed management since %(since)s: visitors are stopped at the gate.")
            % {"since": f"{timezone.localtime(period.started_at):%Y-%m-%d}"}
        )


def check_staff(*, actor, period: ClosedPeriod, person: str, result: str, fit: bool) -> StaffCheck:
    """A staff member's health check at the gate today (once a day each)."""
    require(actor, "outreach.manage", period.organization)
    if period.ended_at is not None:
        raise ValidationError(_("This closed-management period has ended."))
    errors = {}
    if not (person or "").strip():
        errors["person"] = _("Write the staff member's name.")
    if not (result or "").strip():
        errors["result"] = _("Write the result (temperature, symptoms).")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            check = StaffCheck.objects.create(
                organization=period.organization,
                period=period,
                person=person.strip()[:60],
                day=timezone.localdate(now),
                result=result.strip()[:120],
                fit=fit,
                at=now,
                recorded_by=actor,
            )
            audit.record(
                actor=actor, action="outreach.staff_checked", obj=period, organization=period.organization
            )
    except IntegrityError:
        raise ValidationError(_("%(name)s was already checked today.") % {"name": person.strip()}) from None
    return check


def duty_gaps(station, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The stretches of ``[start, end)`` when nobody holds a shift of the station's duty roster
    (a shift without a holder counts as a gap)."""
    from shuangfang.duty.services import turns

    covered = sorted((max(t.start, start), min(t.end, end)) for t in turns(station, start, end) if t.user)
    gaps = []
    cursor = start
    for s, e in covered:
        if s > cursor:
            gaps.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < end:
        gaps.append((cursor, end))
    return [(s, e) for s, e in gaps if e - s >= dt.timedelta(minutes=1)]


def period_gaps(
    period: ClosedPeriod, *, now: dt.datetime | None = None, ahead: dt.timedelta = dt.timedelta(days=2)
):
    """Gaps from the period's start until its end (a running period: until ``ahead`` from now)."""
    now = now or timezone.now()
    if not period.duty_24h:
        return []
    end = period.ended_at or now + ahead
    return duty_gaps(period.organization, period.started_at, end)
