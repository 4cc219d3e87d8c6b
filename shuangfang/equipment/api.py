"""Equipment API: the ledger (read) and the cameras with their latest retention check."""

from datetime import date
from uuid import UUID

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema
from ninja.pagination import paginate

from shuangfang.core.tenancy import get_for_user, has_perm_anywhere

from .models import Camera, Equipment

router = Router(tags=["equipment"])


def _need(user, perm: str) -> None:
    if not has_perm_anywhere(user, perm):
        raise PermissionDenied(perm)


class EquipmentOut(Schema):
    uuid: UUID
    code: str
    kind: str
    name: str
    organization: UUID
    risk_point: UUID | None
    location: str
    model: str
    registration_number: str
    installed_on: date | None
    expires_on: date | None
    next_inspection_on: date | None
    is_active: bool

    @staticmethod
    def resolve_organization(obj: Equipment) -> UUID:
        return obj.organization.uuid

    @staticmethod
    def resolve_risk_point(obj: Equipment) -> UUID | None:
        return obj.risk_point.uuid if obj.risk_point else None


class CameraOut(Schema):
    uuid: UUID
    name: str
    channel: int
    recorder: str
    organization: UUID
    live_url: str

    @staticmethod
    def resolve_recorder(obj: Camera) -> str:
        return obj.recorder.name

    @staticmethod
    def resolve_organization(obj: Camera) -> UUID:
        return obj.organization.uuid


def _items():
    return Equipment.objects.select_related("organization", "risk_point")


@router.get("/items", response=list[EquipmentOut], summary="Equipment you may see")
@paginate
def list_items(request):
    _need(request.auth, "equipment.view")
    return _items().for_user(request.auth, "equipment.view").order_by("organization", "number")


@router.get("/items/{uuid}", response=EquipmentOut)
def get_item(request, uuid: UUID):
    return get_for_user(_items(), request.auth, "equipment.view", uuid=uuid)


@router.get("/cameras", response=list[CameraOut], summary="Cameras you may see")
@paginate
def list_cameras(request):
    _need(request.auth, "equipment.view")
    return (
        Camera.objects.for_user(request.auth, "equipment.view")
        .select_related("organization", "recorder")
        .order_by("organization", "recorder", "channel")
    )
