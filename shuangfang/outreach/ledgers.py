"""Information ledgers (信息台账, the seed's ledgers) as exports of exactly the dates asked for:

* at a station (``relief.export``, as relief casework exports): the **patrol ledger** (巡查台账),
  the **encounter ledger** (救助对象台账: no names are kept for encounters, photos never exported)
  and the **supplies ledger** (物资发放台账: the encounters where supplies were handed out);
* at a bureau (``outreach.register``): the **at-risk register ledger** (易走失人员信息台账) with
  masked document and phone numbers (as relief's exports).

Every export is audited with the ledger's name, the dates and the row count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.orgs.models import BUREAU_KINDS, Organization
from shuangfang.relief import identity
from shuangfang.relief.models import Case as ReliefCase
from shuangfang.relief.models import Letter

from .models import Encounter, Patrol
from .register_models import AtRiskPerson, Revisit

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
        pgettext("patrol", "Action"),
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
        pgettext("register", "Kept by"),
        pgettext("relief", "Name"),
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


@dataclass
class DistrictLine:
    """One line of a bureau's overview: a district bureau with everything below it, or (``own``)
    the bureau itself with the stations and registers directly under it."""

    node: Organization
    own: bool
    on_register: int = 0
    revisits_done: int = 0
    patrols: int = 0
    encounters: int = 0
    returned: int = 0
    letters: int = 0


FIGURES = ("on_register", "revisits_done", "patrols", "encounters", "returned", "letters")


def bureau_overview(bureau: Organization, start: dt.date, end: dt.date) -> list[DistrictLine]:
    """The counts the seed reports per district (databases, ledgers, letters) for the dates: people
    on the at-risk register at the end, revisits done, patrols, encounters, persons returned home
    (escorted trips handed over) and reminder letters sent. A fixed number of queries (one per
    figure, one for the districts) however many districts and stations; no names."""
    districts = list(
        Organization.objects.filter(parent=bureau, kind__in=BUREAU_KINDS, is_active=True).order_by("name")
    )
    lines = [DistrictLine(bureau, own=True)] + [DistrictLine(d, own=False) for d in districts]

    def line_for(path: str) -> DistrictLine:
        return next((line for line in lines[1:] if path.startswith(line.node.path)), lines[0])

    lo, hi = window(start, end)
    on_register = AtRiskPerson.objects.filter(added_at__lt=hi).filter(
        Q(removed_at=None) | Q(removed_at__gte=hi)
    )
    counted: list[tuple[str, Any, str]] = [
        ("on_register", on_register, "organization__path"),
        ("revisits_done", Revisit.objects.filter(done_at__gte=lo, done_at__lt=hi), "organization__path"),
        ("patrols", Patrol.objects.filter(started_at__gte=lo, started_at__lt=hi), "organization__path"),
        ("encounters", Encounter.objects.filter(at__gte=lo, at__lt=hi), "organization__path"),
        (
            "returned",
            ReliefCase.objects.filter(trips__handed_over_at__gte=lo, trips__handed_over_at__lt=hi),
            "organization__path",
        ),
        ("letters", Letter.objects.filter(sent_at__gte=lo, sent_at__lt=hi), "organization__path"),
    ]
    for figure, qs, path in counted:
        rows = (
            qs.filter(organization__path__startswith=bureau.path)
            .values(path)
            .annotate(n=Count("id", distinct=True))
            .order_by()
        )
        for row in rows:
            line = line_for(row[path])
            setattr(line, figure, getattr(line, figure) + row["n"])
    return lines


def overview_total(lines: list[DistrictLine]) -> dict[str, int]:
    return {f: sum(getattr(line, f) for line in lines) for f in FIGURES}
