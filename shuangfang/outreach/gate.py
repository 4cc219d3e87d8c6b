"""The gate and visitor log (门卫登记): visitor, purpose, whom they visit, in and out times and the
health check. A visitor checking out before checking in is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.relief import persons

from .gate_models import Visit

audit.register_actions(
    {
        "outreach.visitor_in": gettext_lazy("Recorded a visitor at the gate"),
        "outreach.visitor_out": gettext_lazy("Recorded a visitor leaving"),
    }
)
SLACK = dt.timedelta(minutes=5)  # a phone's clock may run a little fast


def check_in(*, actor, organization, data: dict[str, Any]) -> Visit:
    require(actor, "outreach.manage", organization)
    persons.require_station(organization)
    now = timezone.now()
    at = data.get("arrived_at") or now
    errors = {}
    if not (data.get("visitor") or "").strip():
        errors["visitor"] = _("Write the visitor's name.")
    if not (data.get("purpose") or "").strip():
        errors["purpose"] = _("Write the purpose of the visit.")
    if at > now + SLACK:
        errors["arrived_at"] = _("The time of arrival is in the future.")
    if errors:
        raise ValidationError(errors)
    from .closed import refuse_visitor, running

    refuse_visitor(organization, at)
    with transaction.atomic():
        visit = Visit.objects.create(
            organization=organization,
            recorded_by=actor,
            arrived_at=at,
            closed_period=running(organization, at),
            **{
                k: (data.get(k) or "").strip()
                for k in ("visitor", "phone", "purpose", "visiting", "health_check")
            },
        )
        audit.record(actor=actor, action="outreach.visitor_in", obj=visit, organization=organization)
    return visit


def check_out(*, actor, visit: Visit, at: dt.datetime | None = None) -> Visit:
    require(actor, "outreach.manage", visit.organization)
    now = timezone.now()
    at = at or now
    if at < visit.arrived_at:
        raise ValidationError(_("The visitor cannot leave before arriving: check the time."))
    if at > now + SLACK:
        raise ValidationError(_("The time of leaving is in the future."))
    with transaction.atomic():
        if not Visit.objects.filter(pk=visit.pk, left_at__isnull=True).update(left_at=at):
            raise ValidationError(_("This visitor has already left."))
        audit.record(actor=actor, action="outreach.visitor_out", obj=visit, organization=visit.organization)
    visit.refresh_from_db()
    return visit
