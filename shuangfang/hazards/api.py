"""Hazards API: list/filter, snap report with photos (multipart), each move as an action, timeline,
and the MEM-interface shape of domain-reference §6.3."""

import datetime as dt
import json
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ValidationError as PydanticError

from shuangfang.core.api import IsoDate, IsoDateTime, Source, paginate_values
from shuangfang.core.limits import SHORT, code, max_chars, text
from shuangfang.core.photos import attach_evidence
from shuangfang.core.tenancy import get_for_user, has_perm_anywhere, listed_scope_key
from shuangfang.orgs.models import Organization, User

from . import services, workflow
from .choices import MEM_CATEGORY, MEM_GRADE, MEM_SOURCE, MEM_STATE, MEM_TREATMENT, OPEN_STATUSES, PhotoKind
from .models import Hazard, HazardEvent, HazardPhoto

router = Router(tags=["hazards"])
S = TypeVar("S", bound=Schema)


class HazardOut(Schema):
    uuid: UUID
    number: str
    title: str
    description: str
    institution: UUID
    institution_name: str
    department: str | None
    location: str
    source: str
    origin: str
    status: str
    grade: str
    category: str
    cause: str
    preventive_measures: str
    treatment: str
    responsible: UUID | None
    responsible_name: str | None
    measures: str
    deadline: dt.date | None
    funds: Decimal | None
    contingency_plan: str
    interim_measures: str
    overdue: bool
    supervised: bool
    supervision_deadline: dt.date | None
    reported_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_institution(obj: Hazard) -> UUID:
        return obj.organization.uuid

    @staticmethod
    def resolve_institution_name(obj: Hazard) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_department(obj: Hazard) -> str | None:
        return obj.department.name if obj.department else None

    @staticmethod
    def resolve_responsible(obj: Hazard) -> UUID | None:
        return obj.responsible.uuid if obj.responsible else None

    @staticmethod
    def resolve_responsible_name(obj: Hazard) -> str | None:
        return obj.responsible.name if obj.responsible else None

    @staticmethod
    def resolve_overdue(obj: Hazard) -> bool:
        return obj.is_overdue()


class EventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    actor: str | None
    note: str
    created_at: dt.datetime

    @staticmethod
    def resolve_actor(obj: HazardEvent) -> str | None:
        return obj.actor.name if obj.actor else None


class ReportIn(Schema):
    institution: UUID
    description: str = text(Hazard, "description")
    source: str = code("snap")
    location: str = text(Hazard, "location", "")
    category: str = code("")
    title: str = text(Hazard, "title", "")


class ActionIn(Schema):
    note: str = text(HazardEvent, "note", "")
    grade: str | None = code(None)
    category: str | None = code(None)
    cause: str | None = text(Hazard, "cause", None)
    preventive_measures: str | None = text(Hazard, "preventive_measures", None)
    location: str | None = text(Hazard, "location", None)
    responsible: UUID | None = None
    measures: str | None = text(Hazard, "measures", None)
    deadline: IsoDate | None = None
    funds: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    contingency_plan: str | None = text(Hazard, "contingency_plan", None)
    interim_measures: str | None = text(Hazard, "interim_measures", None)
    fix_note: str | None = text(Hazard, "fix_note", None)
    duplicate_of: UUID | None = None
    extension_until: IsoDate | None = None
    extension_reason: str | None = text(Hazard, "extension_reason", None)
    supervision_deadline: IsoDate | None = None
    supervision_note: str | None = text(Hazard, "supervision_note", None)


def _qs():
    return Hazard.objects.select_related("organization", "department", "responsible")


# Where the list reads HazardOut's fields from (the rest are columns of their own name): related rows'
# columns are joined into the one query, no model instance is made (core.api.paginate_values). The
# resolvers above say the same for one hazard read as an object; test_speed compares the two.
LIST_SOURCES: dict[str, Source] = {
    "institution": "organization__uuid",
    "institution_name": "organization__name",
    "department": "department__name",
    "responsible": "responsible__uuid",
    "responsible_name": "responsible__name",
    "overdue": lambda row, today: Hazard.overdue_on(row["status"], row["deadline"], today),
}


def _list_inputs(request, **filters) -> tuple:
    """All that the list's SQL depends on (core.api.paginate_values's ``compiled_by``): the caller's
    scope (as the ids it is written with), the filters and today (the overdue filter's). Change
    list_hazards, change this."""
    scope = listed_scope_key(request.auth, "hazard.view")
    return (scope, timezone.localdate(), tuple(sorted(filters.items())))


@router.get("/hazards", response=list[HazardOut], summary="Hazards you may see, filtered")
@paginate_values(_list_inputs, **LIST_SOURCES)
def list_hazards(
    request,
    status: str | None = Query(None, max_length=SHORT),
    grade: str | None = Query(None, max_length=SHORT),
    category: str | None = Query(None, max_length=SHORT),
    source: str | None = Query(None, max_length=SHORT),
    institution: UUID | None = None,
    overdue: bool | None = None,
    q: str | None = Query(None, max_length=max_chars(Hazard, "title")),
):
    # The scope as ids: the statement is prepared (core.planned) and keeps one plan.
    qs = Hazard.objects.for_user(request.auth, "hazard.view", listed=True)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    for name, value in (("grade", grade), ("category", category), ("source", source)):
        if value:
            qs = qs.filter(**{name: value})
    if institution:
        qs = qs.filter(organization__uuid=institution)
    if overdue:
        qs = qs.overdue()
    if q:
        qs = qs.filter(title__icontains=q)
    return qs


@router.get("/hazards/mine", response=list[HazardOut], summary="Open hazards you are responsible for")
def my_hazards(request):
    return list(
        _qs()
        .for_user(request.auth, "hazard.view")
        .filter(responsible=request.auth, status__in=OPEN_STATUSES)
        .order_by("deadline", "id")[:200]
    )


def _payload(request, schema: type[S]) -> tuple[S, list]:
    """The body as JSON or as a multipart form (with ``photos`` files): phones post forms."""
    ctype = request.content_type or ""
    if ctype.startswith(("multipart/", "application/x-www-form-urlencoded")):
        raw = {k: v for k, v in request.POST.items() if v != ""}
        files = attach_evidence(request.FILES.getlist("photos"), request.POST, "photos")
    else:
        try:
            raw = json.loads(request.body or b"{}")
        except ValueError:
            raise ValidationError(_("The body is not valid JSON.")) from None
        files = []
    try:
        return schema.model_validate(raw), files
    except PydanticError as exc:
        raise ValidationError(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from None


def _body_doc(schema: type[Schema]) -> dict:
    json_schema = schema.model_json_schema()
    form = {
        **json_schema,
        "properties": {
            **json_schema["properties"],
            "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
        },
    }
    return {
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": form}, "application/json": {"schema": json_schema}},
        }
    }


@router.post(
    "/hazards",
    response={201: HazardOut},
    summary="Snap report: a hazard with photos (multipart/form-data, or JSON without photos)",
    description=(
        "Multipart: besides `photos`, optionally per photo in the same order `photos-taken_at` "
        "(ISO 8601; local time without an offset), `photos-latitude` and `photos-longitude` (kept "
        "only with `keep_location=1`): what the phone read from each original before shrinking it. "
        "A time in the future or an impossible position is not kept; the photo is."
    ),
    openapi_extra=_body_doc(ReportIn),
)
def report_hazard(request):
    if not has_perm_anywhere(request.auth, "hazard.report"):
        raise PermissionDenied("hazard.report")
    data, photos = _payload(request, ReportIn)
    org = Organization.objects.for_user(request.auth, "hazard.report").filter(uuid=data.institution).first()
    if org is None:
        raise Http404
    hazard = services.report_hazard(
        actor=request.auth,
        organization=org,
        description=data.description,
        source=data.source,
        location=data.location,
        category=data.category,
        title=data.title,
        photos=photos,
    )
    return Status(201, _qs().get(pk=hazard.pk))


@router.get("/hazards/{uuid}", response=HazardOut)
def get_hazard(request, uuid: UUID):
    return get_for_user(_qs(), request.auth, "hazard.view", uuid=uuid)


@router.get("/hazards/{uuid}/timeline", response=list[EventOut], summary="Every move, comment and photo")
def timeline(request, uuid: UUID):
    hazard = get_for_user(Hazard, request.auth, "hazard.view", uuid=uuid)
    return list(HazardEvent.objects.filter(hazard=hazard).select_related("actor"))


@router.post(
    "/hazards/{uuid}/actions/{action}",
    response=HazardOut,
    summary="Make one move of the workflow (confirm_fix_now, assign, confirm_major, approve_plan, reject, "
    "mark_duplicate, record_progress, submit, accept, reject_back, request_extension, approve_extension, "
    "refuse_extension, supervise, comment); multipart with optional photos, or JSON",
    openapi_extra=_body_doc(ActionIn),
)
def do_action(request, uuid: UUID, action: str):
    move = workflow.MOVES.get(action)
    if move is None:
        raise Http404
    hazard = get_for_user(_qs(), request.auth, "hazard.view", uuid=uuid)
    if not workflow.may(move, hazard, request.auth):
        raise PermissionDenied(move.perm)
    data, photos = _payload(request, ActionIn)
    fields = data.dict(exclude_none=True)
    note = fields.pop("note", "")
    # An unknown id gets the same answer as another institution's (no existence oracle).
    if "responsible" in fields:
        person = User.objects.filter(uuid=fields["responsible"]).first()
        if person is None:
            raise ValidationError(_("The responsible person must work at this institution."))
        fields["responsible"] = person
    if "duplicate_of" in fields:
        original = Hazard.objects.filter(uuid=fields["duplicate_of"]).first()
        if original is None:
            raise ValidationError(_("A duplicate must point to another hazard of the same institution."))
        fields["duplicate_of"] = original
    services.act(actor=request.auth, hazard=hazard, action=action, note=note, photos=photos or (), **fields)
    return _qs().get(pk=hazard.pk)


def _fmt(value) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def _code(table: Any, value: str) -> int | None:
    return table.get(value)


def mem_record(h: Hazard, photos: list[HazardPhoto]) -> dict:
    """One hazard in the field names and codes of the MEM interface (§6.3); photos by URL path, not
    base64 (the transport and its encryption are not specified in what we could read)."""
    return {
        "hazardCode": h.organization.code or str(h.organization.uuid),
        "companyCode": h.organization.code or str(h.organization.uuid),
        "id": str(h.uuid),
        "dangerName": h.title,
        "dangerLevel": _code(MEM_GRADE, h.grade),
        "registTime": _fmt(h.reported_at),
        "registrant": h.reporter.name if h.reporter else "system",
        "dangerSrc": _code(MEM_SOURCE, h.source),
        "dangerManageType": _code(MEM_TREATMENT, h.treatment),
        "hazardDangerType": _code(MEM_CATEGORY, h.category),
        "hazardCategory": 0,
        "dangerDesc": h.description,
        "dangerReason": h.cause,
        "controlMeasures": h.measures or h.fix_note,
        "cost": str(h.funds) if h.funds is not None else None,
        "liablePerson": h.responsible.name if h.responsible else None,
        "dangerManageDeadline": h.deadline.strftime("%Y-%m-%d 23:59:59") if h.deadline else None,
        "checkAcceptPerson": h.accepted_by.name if h.accepted_by else None,
        "checkAcceptTime": _fmt(h.accepted_at),
        "checkAcceptComment": h.acceptance_comment or None,
        "dangerState": _code(MEM_STATE, h.status),
        "dangerImg": [
            f"/hazards/photos/{p.uuid}/?size=display" for p in photos if p.kind == PhotoKind.BEFORE
        ],
        "dangerAcceptImg": [
            f"/hazards/photos/{p.uuid}/?size=display" for p in photos if p.kind == PhotoKind.AFTER
        ],
        "deleted": 0,
        "createDate": _fmt(h.reported_at),
        "updateDate": _fmt(h.updated_at),
    }


@router.get("/mem", response=list[dict], summary="Hazards in the MEM interface shape (domain-reference §6.3)")
@paginate
def mem_export(request, since: IsoDateTime | None = None):
    if not has_perm_anywhere(request.auth, "hazard.ledger"):
        raise PermissionDenied("hazard.ledger")
    qs = (
        Hazard.objects.for_user(request.auth, "hazard.ledger")
        .exclude(status__in=["rejected", "duplicate"])
        .select_related("organization", "responsible", "reporter", "accepted_by")
        .prefetch_related(Prefetch("photos", queryset=HazardPhoto.objects.all()))
        .order_by("updated_at", "id")
    )
    if since:
        qs = qs.filter(updated_at__gt=since)
    return _MemList(qs)


class _MemList:
    """Lazy sequence for the paginator: slices the queryset, then maps each hazard to its record."""

    def __init__(self, qs):
        self.qs = qs

    def __len__(self) -> int:
        return self.qs.count()

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, item):
        return [mem_record(h, list(h.photos.all())) for h in self.qs[item]]
