"""Street patrols (街面巡查, domain-reference §5.7): start, log encounters in seconds, end; an
encounter that persuaded someone to come in opens the relief case through relief's own service
(``relief.cases.open_case``) with what the patrol already wrote."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.relief import cases, persons

from .choices import Action, Need
from .models import Encounter, Patrol
from .plan_models import RoutePoint

audit.register_actions(
    {
        "outreach.patrol_started": gettext_lazy("Started a street patrol"),
        "outreach.patrol_ended": gettext_lazy("Ended a street patrol"),
        "outreach.encounter_logged": gettext_lazy("Logged a street encounter"),
        "outreach.encounter_viewed": gettext_lazy("Viewed street encounters"),
        "outreach.case_opened": gettext_lazy("Opened a relief case from a street encounter"),
        "outreach.place_typed": gettext_lazy("Typed where a street patrol is"),
    }
)


def start_patrol(*, actor, organization, team: str, vehicle: str = "", note: str = "") -> Patrol:
    require(actor, "outreach.manage", organization)
    persons.require_station(organization)
    if not (team or "").strip():
        raise ValidationError({"team": _("Write the team (who is on the patrol).")})
    with transaction.atomic():
        patrol = Patrol.objects.create(
            organization=organization,
            team=team.strip()[:120],
            vehicle=(vehicle or "").strip()[:40],
            note=(note or "").strip()[:200],
            started_at=timezone.now(),
            started_by=actor,
        )
        audit.record(actor=actor, action="outreach.patrol_started", obj=patrol, organization=organization)
        from .patrol_plans import do_task

        do_task(actor=actor, patrol=patrol)  # a planned patrol's task, when one is due and theirs
    return patrol


def end_patrol(*, actor, patrol: Patrol) -> Patrol:
    require(actor, "outreach.manage", patrol.organization)
    with transaction.atomic():
        if not Patrol.objects.filter(pk=patrol.pk, ended_at__isnull=True).update(ended_at=timezone.now()):
            raise ValidationError(_("This patrol has already ended."))
        audit.record(
            actor=actor, action="outreach.patrol_ended", obj=patrol, organization=patrol.organization
        )
    patrol.refresh_from_db()
    return patrol


def _coordinate(value: Any, limit: int, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("The position is not a number.")}) from None
    if not -limit <= number <= limit:
        raise ValidationError({field: _("The position is outside the map.")})
    return number


def _clean(data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    at = data.get("at") or now
    if at > now + dt.timedelta(minutes=5):  # a phone's clock may run a little fast
        raise ValidationError({"at": _("The encounter is dated in the future.")})
    if data.get("action") not in Action.values:
        raise ValidationError({"action": _("Choose what the patrol did.")})
    need = data.get("need") or Need.NONE
    if need not in Need.values:
        raise ValidationError({"need": _("Unknown need.")})
    lat = _coordinate(data.get("latitude"), 90, "latitude")
    lng = _coordinate(data.get("longitude"), 180, "longitude")
    if (lat is None) != (lng is None):
        lat = lng = None  # half a position is no position
    return {
        "at": at,
        "place": (data.get("place") or "").strip()[:120],
        "latitude": lat,
        "longitude": lng,
        "description": (data.get("description") or "").strip()[:200],
        "need": need,
        "action": data["action"],
        "supplies": (data.get("supplies") or "").strip()[:200],
    }


def log_encounter(
    *, actor, patrol: Patrol, data: dict[str, Any], photo=None, consent: bool = False
) -> Encounter:
    """Record a person met. Everything but the action is optional; a photo only with consent."""
    require(actor, "outreach.manage", patrol.organization)
    if patrol.ended_at is not None:
        raise ValidationError(_("This patrol has ended: start a new one."))
    fields = _clean(data, timezone.now())
    if photo is not None and not consent:
        raise ValidationError(
            {"photo": _("A photo only with the person's consent: tick the box or leave it out.")}
        )
    if photo is not None:
        from shuangfang.core.photos import save_photo

        fields["photo"] = save_photo(photo, folder="outreach").display
    with transaction.atomic():
        encounter = Encounter.objects.create(
            organization=patrol.organization,
            patrol=patrol,
            logged_by=actor,
            photo_consent=bool(consent and photo is not None),
            **fields,
        )
        audit.record(
            actor=actor, action="outreach.encounter_logged", obj=encounter, organization=patrol.organization
        )
    return encounter


def prefill(encounter: Encounter) -> dict[str, Any]:
    """What the relief registration gets from the patrol."""
    when = timezone.localtime(encounter.at)
    where = encounter.place or (
        f"{encounter.latitude}, {encounter.longitude}" if encounter.latitude is not None else ""
    )
    reason = _("Met by the street patrol (%(team)s) at %(where)s on %(when)s. %(what)s") % {
        "team": encounter.patrol.team,
        "where": where or "—",
        "when": f"{when:%Y-%m-%d %H:%M}",
        "what": encounter.description,
    }
    return {
        "escort_unit": "other",
        "escort_detail": _("Street patrol") + f" {encounter.patrol.team}"[:100],
        "reason": reason.strip(),
    }


def open_case(*, actor, encounter: Encounter, person_fields: dict[str, Any]):
    """Open the relief case of someone persuaded to come in, with the patrol's data."""
    if encounter.action != Action.PERSUADED:
        raise ValidationError(_("Only a person persuaded to come in is registered at the station."))
    if encounter.relief_case is not None:
        raise ValidationError(_("A relief case was already opened for this encounter."))
    with transaction.atomic():
        case = cases.open_case(
            actor=actor,
            organization=encounter.organization,
            person_fields=person_fields,
            case_fields=prefill(encounter),
        )
        if not Encounter.objects.filter(pk=encounter.pk, relief_case__isnull=True).update(
            relief_case=case.uuid
        ):
            raise ValidationError(_("A relief case was already opened for this encounter."))
        audit.record(
            actor=actor,
            action="outreach.case_opened",
            obj=encounter,
            organization=encounter.organization,
            note=case.number,
        )
    return case


def log_view(*, actor, patrol: Patrol) -> None:
    """Every view of a patrol's encounters is logged, as relief logs every view of a person."""
    audit.record(
        actor=actor, action="outreach.encounter_viewed", obj=patrol, organization=patrol.organization
    )


ROUTE_EVERY = dt.timedelta(seconds=20)  # positions closer together than this are not kept
ROUTE_MAX = 2000  # points a patrol keeps (a 10-hour night at one every 20 s is 1,800)


def add_route_point(
    *, actor, patrol: Patrol, latitude=None, longitude=None, accuracy=None, place: str = ""
) -> RoutePoint | None:
    """One point of the patrol's route: the phone's position (sent while the patrol page is open)
    or a place typed when the phone gives none. Returns None when a position comes too soon after
    the last one (kept out, not an error: the phone sends what it has)."""
    require(actor, "outreach.manage", patrol.organization)
    if patrol.ended_at is not None:
        raise ValidationError(_("This patrol has ended: start a new one."))
    place = (place or "").strip()[:120]
    lat = _coordinate(latitude, 90, "latitude")
    lng = _coordinate(longitude, 180, "longitude")
    if lat is None or lng is None:
        lat = lng = None
        if not place:
            raise ValidationError(
                {"place": _("Write where the patrol is, or let the phone give its position.")}
            )
    try:
        acc = None if accuracy in (None, "") else max(0, min(int(float(accuracy)), 100000))
    except (TypeError, ValueError):
        acc = None
    now = timezone.now()
    with transaction.atomic():
        Patrol.objects.select_for_update().filter(pk=patrol.pk).first()  # one writer a patrol
        last = RoutePoint.objects.filter(patrol=patrol).order_by("-at", "-pk").first()
        if not place and last is not None and now - last.at < ROUTE_EVERY:
            return None
        if RoutePoint.objects.filter(patrol=patrol).count() >= ROUTE_MAX:
            return None
        point = RoutePoint.objects.create(
            patrol=patrol, at=now, latitude=lat, longitude=lng, accuracy_m=acc, place=place
        )
        if place:
            audit.record(
                actor=actor, action="outreach.place_typed", obj=patrol, organization=patrol.organization
            )
    return point


def route_outline(points: list[RoutePoint], width: int = 320, height: int = 200) -> str:
    """The route as an SVG polyline's points, scaled into ``width`` × ``height`` (no map tiles:
    stations' intranets are often offline). Empty when fewer than two positions."""
    located = [
        (float(p.longitude), float(p.latitude))
        for p in points
        if p.latitude is not None and p.longitude is not None
    ]
    if len(located) < 2:
        return ""
    xs, ys = [x for x, _y in located], [y for _x, y in located]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-6)
    pad = 10
    scale = min(width, height) - 2 * pad
    return " ".join(
        f"{pad + (x - min(xs)) / span * scale:.1f},{height - pad - (y - min(ys)) / span * scale:.1f}"
        for x, y in located
    )
