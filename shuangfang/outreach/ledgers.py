"""Information ledgers (信息台账, the seed's ledgers) as exports of exactly the dates asked for:

* at a station (``relief.export``, as relief casework exports): the **patrol ledger** (巡查台账),
  the **encounter ledger** (救助对象台账: no names are kept for encounters, photos never exported)
  and the **supplies ledger** (物资发放台账: the encounters where supplies were handed out);
* at a bureau (``outreach.register``): the **at-risk register ledger** (易走失人员信息台账) with
  masked document and phone numbers (as relief's exports).

Every export is audited with the ledger's name, the dates and the row count."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.relief import identity

from .models import Encounter, Patrol
from .register_models import AtRiskPerson

audit.register_actions({"outreach.ledger_exported": gettext_lazy("Exported an outreach ledger")})
STATION_LEDGERS = {
    "patrols": gettext_lazy("Patrol ledger"),
    "encounters": gettext_lazy("Encounter ledger"),
    "supplies": gettext_lazy("Supplies ledger"),
}
LIMIT = 20000


def _local(at: dt.datetime | None):
    return timezone.localtime(at).replace(tzinfo=None) if at else None


def window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = timezone.make_aware(dt.datetime.combine(start, dt.time()))
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    return lo, hi


def station_ledger(name: str, station, start: dt.date, end: dt.date) -> tuple[list[str], list[list[Any]]]:
    lo, hi = window(start, end)
    if name == "patrols":
        patrols = (
            Patrol.objects.filter(organization=station, started_at__gte=lo, started_at__lt=hi)
            .annotate(n=Count("encounters"))
            .select_related("started_by", "task__plan")
            .order_by("started_at")[:LIMIT]
        )
        headers = [
            _("Team"),
            _("Vehicle"),
            _("Started"),
            _("Ended"),
            _("People met"),
            _("Patrol plan"),
            _("Started by"),
        ]
        rows = [
            [
                p.team,
                p.vehicle,
                _local(p.started_at),
                _local(p.ended_at),
                p.n,
                p.task.plan.name if p.task and p.task.plan else "",
                str(p.started_by),
            ]
            for p in patrols
        ]
        return headers, rows
    met = (
        Encounter.objects.filter(organization=station, at__gte=lo, at__lt=hi)
        .select_related("patrol")
        .order_by("at")
    )
    if name == "supplies":
        met = met.exclude(supplies="")
        headers = [_("Time"), _("Place"), _("Team"), _("Supplies handed out"), _("Need")]
        return headers, [
            [_local(e.at), e.place, e.patrol.team, e.supplies, e.get_need_display()] for e in met[:LIMIT]
        ]
    headers = [
        _("Time"),
        _("Place"),
        _("Position"),
        _("Team"),
        _("Description of the person"),
        _("Need"),
        _("Action"),
        _("Supplies handed out"),
        _("Relief case opened"),
    ]
    return headers, [
        [
            _local(e.at),
            e.place,
            f"{e.latitude}, {e.longitude}" if e.latitude is not None else "",
            e.patrol.team,
            e.description,
            e.get_need_display(),
            e.get_action_display(),
            e.supplies,
            _("yes") if e.relief_case else "",
        ]
        for e in met[:LIMIT]
    ]


def register_ledger(actor, bureau) -> tuple[list[str], list[list[Any]]]:
    """The bureau's register (its own entries and its districts'). Document and phone numbers stay
    masked in the file, as in relief's exports: a file leaves the platform's access log."""
    people = (
        AtRiskPerson.objects.for_user(actor, "outreach.register")
        .filter(organization__path__startswith=bureau.path, removed_at__isnull=True)
        .select_related("organization")
        .order_by("organization__path", "community", "name")[:LIMIT]
    )
    headers = [
        _("Kept by"),
        _("Name"),
        _("Category"),
        _("Document number"),
        _("Township and community"),
        _("Guardian"),
        _("Guardian's phone"),
        _("Distinguishing features"),
        _("Added at"),
    ]
    return headers, [
        [
            p.organization.name,
            p.name,
            p.get_category_display(),
            identity.mask_id(p.id_number),
            p.community,
            p.guardian,
            identity.mask_phone(p.guardian_phone),
            p.features,
            _local(p.added_at),
        ]
        for p in people
    ]


def record_export(*, actor, organization, perm: str, name: str, rows: int, note: str = "") -> None:
    require(actor, perm, organization)
    audit.record(
        actor=actor,
        action="outreach.ledger_exported",
        obj=organization,
        organization=organization,
        note=f"{name} {note} ({rows})".strip(),
    )
