from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db.models import Prefetch
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from shuangfang.core.limits import SHORT, max_chars
from shuangfang.core.tenancy import get_for_user, has_perm_anywhere

from .models import Membership, Organization, User

router = Router(tags=["organisations"])


class OrganizationOut(Schema):
    uuid: UUID
    name: str
    kind: str
    institution_type: str
    parent: UUID | None
    code: str
    phone: str
    is_active: bool

    @staticmethod
    def resolve_parent(obj: Organization) -> UUID | None:
        return obj.parent.uuid if obj.parent_id and obj.parent else None


class MembershipOut(Schema):
    uuid: UUID
    organization: UUID
    organization_name: str
    role: str
    post: str | None
    valid_until: date | None

    @staticmethod
    def resolve_organization(obj: Membership) -> UUID:
        return obj.organization.uuid

    @staticmethod
    def resolve_organization_name(obj: Membership) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_post(obj: Membership) -> str | None:
        return obj.post.name if obj.post else None


class PersonOut(Schema):
    uuid: UUID
    username: str
    name: str
    phone: str
    is_active: bool
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_memberships(obj: User) -> list[Membership]:
        return list(obj.memberships.all())


def _people():
    return User.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("organization", "post"))
    )


@router.get("/me", response=PersonOut, summary="The person behind the token")
def me(request):
    return _people().get(pk=request.auth.pk)


@router.get("/organizations", response=list[OrganizationOut], summary="Organisations you may see")
@paginate
def list_organizations(request, kind: str | None = Query(None, max_length=SHORT)):
    qs = Organization.objects.for_user(request.auth, "org.view").select_related("parent")
    return qs.filter(kind=kind) if kind else qs


@router.get("/organizations/{uuid}", response=OrganizationOut)
def get_organization(request, uuid: UUID):
    return get_for_user(Organization.objects.select_related("parent"), request.auth, "org.view", uuid=uuid)


@router.get("/people", response=list[PersonOut], summary="People in your scope")
@paginate
def list_people(request, q: str | None = Query(None, max_length=max_chars(User, "name"))):
    if not has_perm_anywhere(request.auth, "people.view"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("people.view")
    qs = _people().for_user(request.auth, "people.view").order_by("name")
    return qs.filter(name__icontains=q) if q else qs


@router.get("/people/{uuid}", response=PersonOut)
def get_person(request, uuid: UUID):
    return get_for_user(_people(), request.auth, "people.view", uuid=uuid)
