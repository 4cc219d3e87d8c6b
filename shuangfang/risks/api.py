"""Risk points, hazard factors, assessments and control measures over the API (list / create /
update). Every change goes through the services; errors come back as 400 ``{"detail": …}``."""

import datetime as dt
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shuangfang.core.api import IsoDate, IsoDateTime
from shuangfang.core.limits import SHORT, Code, code, optional, text
from shuangfang.core.tenancy import get_for_user, has_perm_anywhere
from shuangfang.orgs.models import Organization, OrgKind, Post, User

from . import mem, services
from .models import Assessment, AssessmentMethod, ControlMeasure, Floor, HazardFactor, RiskPoint

router = Router(tags=["risks"])


class MethodOut(Schema):
    code: str
    version: int
    name: str
    formula: str
    scales: list
    bands: list
    boundary_rule: str
    confidence: str
    is_default: bool


class RiskPointOut(Schema):
    uuid: UUID
    code: str
    name: str
    kind: str
    institution: UUID
    department: UUID | None
    building: str
    area: str
    location: str
    inherent_level: int | None
    residual_level: int | None
    next_review_on: dt.date | None
    url: str

    @staticmethod
    def resolve_institution(obj: RiskPoint) -> UUID:
        return obj.organization.uuid

    @staticmethod
    def resolve_department(obj: RiskPoint) -> UUID | None:
        return obj.department.uuid if obj.department_id and obj.department else None

    @staticmethod
    def resolve_url(obj: RiskPoint) -> str:
        return obj.get_absolute_url()


class RiskPointIn(Schema):
    institution: UUID
    name: str = text(RiskPoint, "name")
    kind: str = code("place")
    department: UUID | None = None
    post: UUID | None = None
    building: str = text(RiskPoint, "building", "")
    floor: UUID | None = None
    area: str = text(RiskPoint, "area", "")
    location: str = text(RiskPoint, "location", "")
    basis: str = text(RiskPoint, "basis", "")
    next_review_on: IsoDate | None = None


# PATCH: leave a field out to keep it; an explicit null is allowed only where the field may be empty
# (a 422 otherwise, never a database error).
class RiskPointPatch(Schema):
    name: str = text(RiskPoint, "name", None)
    kind: str = optional(max_length=SHORT)
    building: str = text(RiskPoint, "building", None)
    area: str = text(RiskPoint, "area", None)
    location: str = text(RiskPoint, "location", None)
    basis: str = text(RiskPoint, "basis", None)
    next_review_on: IsoDate = optional()
    is_active: bool = optional()


class FactorOut(Schema):
    uuid: UUID
    risk_point: UUID
    description: str
    factor_class: str
    accident_types: list[str]
    consequence: str
    inherent_level: int | None
    residual_level: int | None

    @staticmethod
    def resolve_risk_point(obj: HazardFactor) -> UUID:
        return obj.risk_point.uuid


class FactorIn(Schema):
    description: str = text(HazardFactor, "description")
    factor_class: str = code()
    accident_types: list[Code] = Field([], max_length=50)
    consequence: str = text(HazardFactor, "consequence", "")


class FactorPatch(Schema):
    description: str = text(HazardFactor, "description", None)
    factor_class: str = optional(max_length=SHORT)
    accident_types: list[Code] = optional(max_length=50)
    consequence: str = text(HazardFactor, "consequence", None)


class AssessmentOut(Schema):
    uuid: UUID
    kind: str
    method: str
    method_version: int
    inputs: dict
    score: Decimal
    level: int
    band: str
    basis: str
    assessed_by: str
    assessed_at: dt.datetime

    @staticmethod
    def resolve_method(obj: Assessment) -> str:
        return obj.method.code

    @staticmethod
    def resolve_method_version(obj: Assessment) -> int:
        return obj.method.version

    @staticmethod
    def resolve_assessed_by(obj: Assessment) -> str:
        return str(obj.assessed_by)


class AssessmentIn(Schema):
    method: str = code()
    inputs: dict[str, float | str]
    kind: str = code("inherent")
    basis: str = text(Assessment, "basis", "")


class MeasureOut(Schema):
    uuid: UUID
    factor: UUID
    category: str
    description: str
    tier: str
    responsible: UUID | None
    responsible_name: str
    what_to_check: str

    @staticmethod
    def resolve_factor(obj: ControlMeasure) -> UUID:
        return obj.factor.uuid

    @staticmethod
    def resolve_responsible(obj: ControlMeasure) -> UUID | None:
        return obj.responsible.uuid if obj.responsible_id and obj.responsible else None


class MeasureIn(Schema):
    category: str = code()
    description: str = text(ControlMeasure, "description")
    tier: str = code("")
    responsible: UUID | None = None
    responsible_name: str = text(ControlMeasure, "responsible_name", "")
    what_to_check: str = text(ControlMeasure, "what_to_check", "")


class MeasurePatch(Schema):
    category: str = optional(max_length=SHORT)
    description: str = text(ControlMeasure, "description", None)
    tier: str = optional(max_length=SHORT)
    responsible: UUID | None = None
    responsible_name: str = text(ControlMeasure, "responsible_name", None)
    what_to_check: str = text(ControlMeasure, "what_to_check", None)


def _need(user, perm: str) -> None:
    if not has_perm_anywhere(user, perm):
        raise PermissionDenied(perm)


def _ref(model, uuid: UUID | None, inst: Organization, **extra):
    if uuid is None:
        return None
    obj = model.objects.filter(uuid=uuid, **extra).first()
    if obj is None:
        raise ValidationError(
            _("%(uuid)s is not known at %(institution)s.") % {"uuid": uuid, "institution": inst}
        )
    return obj


@router.get("/methods", response=list[MethodOut], summary="Current assessment method versions")
def list_methods(request):
    _need(request.auth, "risk.view")
    return AssessmentMethod.objects.filter(is_current=True)


@router.get("/points", response=list[RiskPointOut], summary="Risk points you may see")
@paginate
def list_points(request, institution: UUID | None = None, level: int | None = None):
    _need(request.auth, "risk.view")
    qs = RiskPoint.objects.for_user(request.auth, "risk.view").select_related("organization", "department")
    if institution:
        qs = qs.filter(organization__uuid=institution)
    if level:
        qs = qs.filter(inherent_level=level)
    return qs.order_by("organization_id", "number")


@router.post("/points", response={201: RiskPointOut}, summary="Create a risk point")
def create_point(request, data: RiskPointIn):
    _need(request.auth, "risk.edit")
    inst = get_for_user(
        Organization, request.auth, "risk.edit", uuid=data.institution, kind=OrgKind.INSTITUTION
    )
    fields = data.dict(exclude={"institution"})
    fields["department"] = _ref(
        Organization, data.department, inst, institution=inst, kind=OrgKind.DEPARTMENT
    )
    fields["post"] = _ref(Post, data.post, inst, organization=inst)
    fields["floor"] = _ref(Floor, data.floor, inst, organization=inst)
    if fields["next_review_on"] is None:
        fields.pop("next_review_on")
    point = services.create_risk_point(actor=request.auth, institution=inst, **fields)
    return Status(201, point)


@router.get("/points/{uuid}", response=RiskPointOut)
def get_point(request, uuid: UUID):
    return get_for_user(
        RiskPoint.objects.select_related("organization", "department"), request.auth, "risk.view", uuid=uuid
    )


@router.patch("/points/{uuid}", response=RiskPointOut, summary="Update a risk point")
def update_point(request, uuid: UUID, data: RiskPointPatch):
    point = get_for_user(RiskPoint, request.auth, "risk.edit", uuid=uuid)
    return services.update_risk_point(actor=request.auth, point=point, **data.dict(exclude_unset=True))


@router.get("/points/{uuid}/factors", response=list[FactorOut])
def list_factors(request, uuid: UUID):
    point = get_for_user(RiskPoint, request.auth, "risk.view", uuid=uuid)
    return HazardFactor.objects.filter(risk_point=point).select_related("risk_point")


@router.post("/points/{uuid}/factors", response={201: FactorOut}, summary="Add a hazard factor")
def create_factor(request, uuid: UUID, data: FactorIn):
    point = get_for_user(RiskPoint, request.auth, "risk.edit", uuid=uuid)
    return Status(201, services.add_factor(actor=request.auth, point=point, **data.dict()))


@router.patch("/factors/{uuid}", response=FactorOut, summary="Update a hazard factor")
def update_factor(request, uuid: UUID, data: FactorPatch):
    factor = get_for_user(
        HazardFactor.objects.select_related("risk_point"), request.auth, "risk.edit", uuid=uuid
    )
    return services.update_factor(actor=request.auth, factor=factor, **data.dict(exclude_unset=True))


@router.get("/factors/{uuid}/assessments", response=list[AssessmentOut])
def list_assessments(request, uuid: UUID):
    factor = get_for_user(HazardFactor, request.auth, "risk.view", uuid=uuid)
    return Assessment.objects.filter(factor=factor).select_related("method", "assessed_by")


@router.post("/factors/{uuid}/assessments", response={201: AssessmentOut}, summary="Assess a factor")
def create_assessment(request, uuid: UUID, data: AssessmentIn):
    factor = get_for_user(
        HazardFactor.objects.select_related("risk_point"), request.auth, "risk.edit", uuid=uuid
    )
    method = AssessmentMethod.objects.filter(code=data.method, is_current=True).first()
    if method is None:
        raise ValidationError(_("Unknown assessment method %(value)s.") % {"value": data.method})
    row = services.assess(
        actor=request.auth, factor=factor, method=method, inputs=data.inputs, kind=data.kind, basis=data.basis
    )
    return Status(201, row)


@router.get("/factors/{uuid}/measures", response=list[MeasureOut])
def list_measures(request, uuid: UUID):
    factor = get_for_user(HazardFactor, request.auth, "risk.view", uuid=uuid)
    return ControlMeasure.objects.filter(factor=factor).select_related("factor", "responsible")


def _person(uuid: UUID | None, institution: Organization) -> User | None:
    if uuid is None:
        return None
    person = User.objects.filter(uuid=uuid).first()
    if person is None:
        raise ValidationError(
            _("%(uuid)s is not known at %(institution)s.") % {"uuid": uuid, "institution": institution}
        )
    return person


@router.post("/factors/{uuid}/measures", response={201: MeasureOut}, summary="Add a control measure")
def create_measure(request, uuid: UUID, data: MeasureIn):
    factor = get_for_user(
        HazardFactor.objects.select_related("risk_point"), request.auth, "risk.edit", uuid=uuid
    )
    fields = data.dict()
    fields["responsible"] = _person(data.responsible, factor.organization)
    return Status(201, services.add_measure(actor=request.auth, factor=factor, **fields))


@router.patch("/measures/{uuid}", response=MeasureOut, summary="Update a control measure")
def update_measure(request, uuid: UUID, data: MeasurePatch):
    measure = get_for_user(
        ControlMeasure.objects.select_related("factor"), request.auth, "risk.edit", uuid=uuid
    )
    fields = data.dict(exclude_unset=True)
    if "responsible" in fields:
        fields["responsible"] = _person(data.responsible, measure.organization)
    return services.update_measure(actor=request.auth, measure=measure, **fields)


MemEntity = Literal["unit", "event", "measure"]


class _MemPage:
    """Lazy sequence for the paginator: slices the queryset, then maps the page to MEM records."""

    def __init__(self, qs, entity: str) -> None:
        self.qs, self.entity = qs, entity

    def __len__(self) -> int:
        return self.qs.count()

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, item):
        rows = list(self.qs[item])
        if self.entity == "unit":
            who = mem.heads({p.organization_id for p in rows})
            return [mem.mem_unit(p, who.get(p.organization_id)) for p in rows]
        if self.entity == "event":
            return [mem.mem_event(f) for f in rows]
        return [mem.mem_measure(m) for m in rows]


@router.get(
    "/mem",
    response=list[dict],
    summary="Risk units, events or control measures in the MEM interface shape (domain-reference §6.3)",
)
@paginate
def mem_export(
    request, entity: Literal["unit", "event", "measure"] = "unit", since: IsoDateTime | None = None
):
    """The pull form of the regulator upload's risk side: ``entity`` is ``unit`` (risk points),
    ``event`` (hazard factors) or ``measure`` (control measures); ``since`` keeps the records
    changed after it (``updated_at``). Oldest change first."""
    _need(request.auth, "risk.view")
    querysets = {"unit": mem.points, "event": mem.factors, "measure": mem.measures}
    qs = querysets[entity]().filter(pk__in=_mem_scope(request.auth, entity)).order_by("updated_at", "id")
    if since:
        qs = qs.filter(updated_at__gt=since)
    return _MemPage(qs, entity)


def _mem_scope(user, entity: str):
    model = {"unit": RiskPoint, "event": HazardFactor, "measure": ControlMeasure}[entity]
    return model.objects.for_user(user, "risk.view").values("pk")
