"""The open hazards a shift hands over (``duty.services.register_open_items``, section "hazards"):
every hazard of the institution not yet closed, overdue ones first, one line each."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.orgs.models import Organization

from .models import Hazard

LIMIT = 50  # a handover lists at most this many; the rest is a count and the hazard list


def open_hazard_lines(institution: Organization, start: dt.datetime, end: dt.datetime) -> list[str]:
    today = timezone.localdate(end)
    qs = (
        Hazard.objects.open()
        .filter(organization=institution)
        .annotate(
            late=Case(When(deadline__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("late", F("deadline").asc(nulls_last=True), "reported_at")
    )
    total = qs.count()
    lines = []
    for h in qs[:LIMIT]:
        parts = [h.number, h.title]
        if h.location:
            parts.append(h.location)
        state = str(h.get_status_display())
        if h.deadline and h.late == 0:
            state = _("%(state)s, overdue since %(date)s") % {"state": state, "date": h.deadline.isoformat()}
        elif h.deadline:
            state = _("%(state)s, due %(date)s") % {"state": state, "date": h.deadline.isoformat()}
        item = " ".join(str(p) for p in parts)
        lines.append(_("%(item)s (%(state)s)") % {"item": item, "state": state})
    if total > LIMIT:
        lines.append(_("… and %(n)s more on the hazard list") % {"n": total - LIMIT})
    return lines
