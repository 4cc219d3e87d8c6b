"""Outreach API: a station's patrols and their encounters, list and create (a patrol app, a
dispatcher's tool). The same privacy rules as the pages: only memberships at a relief station count
(404 to everyone else), every read of encounters is logged, photos are not served here."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from ninja import Field, Router, Schema
from ninja.responses import Status

from shuangfang.core.tenancy import can, get_for_user, has_perm_anywhere
from shuangfang.orgs.models import Organization

from . import patrols
from .models import Encounter, Patrol

router = Router(tags=["outreach"])


class PatrolOut(Schema):
    uuid: UUID
    station: UUID
    team: str
    vehicle: str
    started_at: datetime
    ended_at: datetime | None
    encounters: int
    task: UUID | None


class PatrolIn(Schema):
    station: UUID
    team: str = Field(max_length=120)
    vehicle: str = Field("", max_length=40)


class EncounterOut(Schema):
    uuid: UUID
    at: datetime
    place: str
    latitude: Decimal | None
    longitude: Decimal | None
    description: str
    need: str
    action: str
    supplies: str
    photo_consent: bool
    relief_case: UUID | None


class EncounterIn(Schema):
    action: str = Field(max_length=20)
    at: datetime | None = None
    place: str = Field("", max_length=120)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    description: str = Field("", max_length=200)
    need: str = Field("", max_length=20)
    supplies: str = Field("", max_length=200)


def _need(user, perm: str) -> None:
    if not has_perm_anywhere(user, perm):
        raise Http404


def _patrol_out(p: Patrol, n: int) -> PatrolOut:
    return PatrolOut(
        uuid=p.uuid,
        station=p.organization.uuid,
        team=p.team,
        vehicle=p.vehicle,
        started_at=p.started_at,
        ended_at=p.ended_at,
        encounters=n,
        task=p.task.uuid if p.task_id and p.task else None,
    )


def _encounter_out(e: Encounter) -> EncounterOut:
    return EncounterOut(
        uuid=e.uuid,
        at=e.at,
        place=e.place,
        latitude=e.latitude,
        longitude=e.longitude,
        description=e.description,
        need=e.need,
        action=e.action,
        supplies=e.supplies,
        photo_consent=e.photo_consent,
        relief_case=e.relief_case,
    )


@router.get("/patrols", response=list[PatrolOut], summary="Patrols of the stations you work at (latest 100)")
def patrol_list(request, station: UUID | None = None, open: bool = False):
    _need(request.auth, "outreach.view")
    qs = Patrol.objects.for_user(request.auth, "outreach.view").select_related("organization", "task")
    if station is not None:
        qs = qs.filter(organization__uuid=station)
    if open:
        qs = qs.filter(ended_at__isnull=True)
    rows = qs.annotate(n=Count("encounters")).order_by("-started_at")[:100]
    return [_patrol_out(p, p.n) for p in rows]


@router.post("/patrols", response={201: PatrolOut}, summary="Start a patrol at a station")
def patrol_create(request, data: PatrolIn):
    _need(request.auth, "outreach.manage")
    station = Organization.objects.for_user(request.auth, "outreach.manage").filter(uuid=data.station).first()
    if station is None:
        raise Http404
    patrol = patrols.start_patrol(
        actor=request.auth, organization=station, team=data.team, vehicle=data.vehicle
    )
    return Status(201, _patrol_out(patrol, 0))


@router.get(
    "/patrols/{uuid}/encounters", response=list[EncounterOut], summary="The people a patrol met (read logged)"
)
def encounter_list(request, uuid: UUID):
    _need(request.auth, "outreach.view")
    patrol = get_for_user(Patrol, request.auth, "outreach.view", uuid=uuid)
    patrols.log_view(actor=request.auth, patrol=patrol)
    return [_encounter_out(e) for e in patrol.encounters.all()]


@router.post(
    "/patrols/{uuid}/encounters",
    response={201: EncounterOut},
    summary="Log an encounter (only the action is required; a photo only through the page, with consent)",
)
def encounter_create(request, uuid: UUID, data: EncounterIn):
    _need(request.auth, "outreach.manage")
    patrol = get_for_user(Patrol, request.auth, "outreach.view", uuid=uuid)
    if not can(request.auth, "outreach.manage", patrol.organization):
        raise PermissionDenied("outreach.manage")
    encounter = patrols.log_encounter(actor=request.auth, patrol=patrol, data=data.dict())
    return Status(201, _encounter_out(encounter))
