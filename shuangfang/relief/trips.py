"""Escorted return (护送返乡) as a closed chain (seed: "prepared in advance, organised strictly en
route, debriefed afterwards"): preparing → approved (the head) → en route (check-ins) → handed over
(receiving party, receipt photo; the persons' cases depart as escorted) → debriefed (a problem
becomes a hazard, once) → closed. A trip cannot close with a step missing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import can, require
from shuangfang.core.workflow import Transition, Workflow

from . import cases, persons, rules
from .choices import CaseStatus, DepartureMode, TripStatus
from .models import Case, CheckIn, Trip

T = TripStatus
audit.register_actions(
    {
        "relief.trip_prepared": gettext_lazy("Prepared an escorted trip"),
        "relief.trip_approve": gettext_lazy("Approved the trip"),
        "relief.trip_depart": gettext_lazy("Set off"),
        "relief.trip_checkin": gettext_lazy("Checked in on the way"),
        "relief.trip_hand_over": gettext_lazy("Handed over"),
        "relief.trip_debrief": gettext_lazy("Debriefed"),
        "relief.trip_close": gettext_lazy("Closed the trip"),
        "relief.trip_cancel": gettext_lazy("Cancelled the trip"),
    }
)


def is_escort(trip: Trip, actor) -> bool:
    """One of the trip's escorting staff who may do casework at the station."""
    return (
        actor is not None
        and trip.staff.filter(pk=actor.pk).exists()
        and can(actor, "relief.manage", trip.organization)
    )


def _guard_approve(trip: Trip, actor, ctx: dict[str, Any]) -> None:
    missing = preparation_missing(trip)
    if missing:
        raise ValidationError(_("The trip is not ready: %(m)s.") % {"m": "、".join(missing)})


def preparation_missing(trip: Trip) -> list[str]:
    out = []
    if trip.staff.count() < rules.min_escort_staff().value:
        out.append(_("at least two escorting staff"))
    if not trip.cases.exists():
        out.append(_("the persons"))
    if not trip.risk_level:
        out.append(_("the trip's risk assessment"))
    if not trip.supplies:
        out.append(_("medicines and food"))
    return out


def _stamp(field: str):
    def effect(trip: Trip, actor, ctx: dict[str, Any]) -> None:
        setattr(trip, field, ctx.get("at") or timezone.now())

    return effect


def _approver(trip: Trip, actor, ctx: dict[str, Any]) -> None:
    trip.approved_by = actor


def _guard_hand_over(trip: Trip, actor, ctx: dict[str, Any]) -> None:
    if not (ctx.get("receiving_party") or "").strip():
        raise ValidationError(_("Write who received the persons."))
    if not ctx.get("receipt_photo") and not trip.receipt_photo:
        raise ValidationError(_("Take a photo of the signed receipt."))


def _stamp_hand_over(trip: Trip, actor, ctx: dict[str, Any]) -> None:
    trip.receiving_party = ctx["receiving_party"].strip()[:120]
    if ctx.get("receipt_photo"):
        trip.receipt_photo = ctx["receipt_photo"]
    trip.handed_over_at = timezone.now()


def _depart_cases(trip: Trip, actor, ctx: dict[str, Any]) -> None:
    """The persons leave the station as escorted (the same transaction: all or none)."""
    for case in trip.cases.filter(status__in=[CaseStatus.IN_STATION, CaseStatus.AT_HOSPITAL]):
        cases.move(
            case,
            "depart",
            actor=actor,
            mode=DepartureMode.ESCORTED,
            receiving_party=trip.receiving_party,
            cross_province=bool(ctx.get("cross_province")),
            note=trip.number,
        )


def _guard_debrief(trip: Trip, actor, ctx: dict[str, Any]) -> None:
    if not (ctx.get("notes") or "").strip():
        raise ValidationError(_("Write the debrief notes."))


def _stamp_debrief(trip: Trip, actor, ctx: dict[str, Any]) -> None:
    trip.debrief_notes = ctx["notes"].strip()
    trip.problem = (ctx.get("problem") or "").strip()


def _report_problem(trip: Trip, actor, ctx: dict[str, Any]) -> None:
    """A problem found at the debrief enters the hazard loop, once (the origin is the trip)."""
    if not trip.problem:
        return
    from shuangfang.hazards import services as hazards

    hazard = hazards.report_hazard(
        actor=actor,
        organization=trip.organization,
        description=trip.problem,
        source="other",
        location=_("Escorted trip %(n)s") % {"n": trip.number},
        origin=f"relief-trip:{trip.uuid}",
    )
    Trip.objects.filter(pk=trip.pk).update(hazard_uuid=hazard.uuid)
    trip.hazard_uuid = hazard.uuid


def _guard_close(trip: Trip, actor, ctx: dict[str, Any]) -> None:
    steps = {
        _("approval"): trip.approved_at,
        _("departure"): trip.departed_at,
        _("hand-over"): trip.handed_over_at and trip.receipt_photo,
        _("debrief"): trip.debrief_notes,
    }
    missing = [name for name, done in steps.items() if not done]
    if missing:
        raise ValidationError(_("A step is missing: %(m)s.") % {"m": "、".join(missing)})


FLOW: Workflow[Trip] = Workflow(
    model=Trip,
    audit_prefix="relief.trip_",
    lock=True,
    audited=("receiving_party", "problem"),
    transitions=[
        Transition(
            T.PREPARING,
            "approve",
            T.APPROVED,
            who="relief.approve",
            guard=_guard_approve,
            effects=[_stamp("approved_at"), _approver],
        ),
        Transition(T.APPROVED, "depart", T.EN_ROUTE, who=is_escort, effects=[_stamp("departed_at")]),
        Transition(
            T.EN_ROUTE,
            "hand_over",
            T.HANDED_OVER,
            who=is_escort,
            guard=_guard_hand_over,
            effects=[_stamp_hand_over],
            then=[_depart_cases],
        ),
        Transition(
            T.HANDED_OVER,
            "debrief",
            T.DEBRIEFED,
            who="relief.manage",
            guard=_guard_debrief,
            effects=[_stamp_debrief],
            then=[_report_problem],
        ),
        Transition(
            T.DEBRIEFED,
            "close",
            T.CLOSED,
            who="relief.approve",
            guard=_guard_close,
            effects=[_stamp("closed_at")],
        ),
        Transition([T.PREPARING, T.APPROVED], "cancel", T.CANCELLED, who="relief.approve"),
    ],
)


def prepare(
    *,
    actor,
    organization,
    case_list: list[Case],
    staff: list,
    destination: str,
    route: str,
    vehicle: str,
    planned_at: dt.datetime,
    likelihood: int,
    severity: int,
    risk_note: str = "",
    supplies: str = "",
) -> Trip:
    """Prepare a trip. The risk level comes from the risks app's default LS method (R = L × S)."""
    require(actor, "relief.manage", organization)
    persons.require_station(organization)
    errors: dict[str, str] = {}
    for name, value in (("destination", destination), ("route", route), ("vehicle", vehicle)):
        if not (value or "").strip():
            errors[name] = _("This field is required.")
    if not case_list:
        errors["cases"] = _("Choose the persons to escort.")
    elif any(c.organization_id != organization.pk or c.status != CaseStatus.IN_STATION for c in case_list):
        errors["cases"] = _("Only persons in the station are escorted.")
    outsiders = [u for u in staff if not can(u, "relief.manage", organization)]
    if outsiders:
        errors["staff"] = _("Escorting staff work at the station.")
    if errors:
        raise ValidationError(errors)
    level, label = trip_risk(likelihood, severity)
    with transaction.atomic():
        trip = Trip.objects.create(
            organization=organization,
            number=persons.next_number(organization, "trip", "HS", timezone.localtime(planned_at).year),
            destination=destination.strip()[:120],
            route=route.strip()[:200],
            vehicle=vehicle.strip()[:60],
            planned_at=planned_at,
            risk_level=str(level),
            risk_note=(f"{label}\n{risk_note}").strip(),
            supplies=supplies.strip()[:200],
        )
        trip.cases.set(case_list)
        trip.staff.set(staff)
        audit.record(
            actor=actor,
            action="relief.trip_prepared",
            obj=trip,
            organization=organization,
            after={"number": trip.number, "persons": len(case_list), "risk_level": level},
        )
    return trip


def trip_risk(likelihood: int, severity: int) -> tuple[int, str]:
    from shuangfang.risks.models import AssessmentMethod
    from shuangfang.risks.scoring import score

    method = AssessmentMethod.objects.filter(is_current=True, is_default=True).first()
    if method is None:
        raise ValidationError(_("No default risk assessment method is set up."))
    result = score(method, {"L": Decimal(likelihood), "S": Decimal(severity)})
    return result.level, f"{method.name}: L={likelihood} S={severity} R={result.score} → {result.band_label}"


def check_in(*, actor, trip: Trip, note: str = "", latitude=None, longitude=None, incident=False) -> CheckIn:
    """A check-in on the way from an escort's phone: the time, and the place when the phone gives it."""
    if not is_escort(trip, actor):
        raise PermissionDenied("relief.trip_checkin")
    if trip.status != T.EN_ROUTE:
        raise ValidationError(_("Check-ins are made on the way (after setting off, before the hand-over)."))
    coords = _coords(latitude, longitude)
    if incident and not note.strip():
        raise ValidationError(_("Describe the incident."))
    with transaction.atomic():
        row = CheckIn.objects.create(
            trip=trip, at=timezone.now(), by=actor, note=note.strip()[:200], incident=incident, **coords
        )
        audit.record(
            actor=actor,
            action="relief.trip_checkin",
            obj=trip,
            organization=trip.organization,
            after={"incident": incident, "located": bool(coords)},
            note=row.note,
        )
    return row


def _coords(latitude, longitude) -> dict[str, Decimal]:
    if latitude in (None, "") and longitude in (None, ""):
        return {}
    try:
        lat, lon = Decimal(str(latitude)), Decimal(str(longitude))
    except ArithmeticError:
        raise ValidationError(_("The location is not a valid position.")) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(_("The location is not a valid position."))
    return {"latitude": round(lat, 6), "longitude": round(lon, 6)}


def move(trip: Trip, action: str, *, actor, **context) -> Trip:
    return FLOW.move(trip, action, actor=actor, **context)
