"""Public reports API: the officer's triage queue (list, one report) and two decisions (confirm
into a hazard, reject with a reason), for the institutions where the caller may triage. Merging
and the QR posters stay on the pages."""

import datetime as dt
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from shuangfang.core.tenancy import get_for_user, has_perm_anywhere
from shuangfang.core.vocabulary import CheckCategory

from . import services
from .choices import RejectReason, Status
from .models import PublicReport

router = Router(tags=["publicreports"])
PERM = "publicreport.triage"
NOTE_MAX = 500


class PublicReportOut(Schema):
    uuid: UUID
    institution: UUID
    institution_name: str
    place: str
    risk_point: UUID | None
    text: str
    phone: str
    photos: list[str]
    status: str
    reject_reason: str
    note: str
    hazard: UUID | None
    hazard_number: str | None
    duplicate_of: UUID | None
    received_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_institution(obj: PublicReport) -> UUID:
        return obj.organization.uuid

    @staticmethod
    def resolve_institution_name(obj: PublicReport) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_place(obj: PublicReport) -> str:
        return obj.poster.place

    @staticmethod
    def resolve_risk_point(obj: PublicReport) -> UUID | None:
        return obj.poster.risk_point.uuid if obj.poster.risk_point else None

    @staticmethod
    def resolve_photos(obj: PublicReport) -> list[str]:
        """Each photo's link (the officer's scoped photo page)."""
        return [reverse("publicreports:photo", args=[p.uuid]) for p in obj.photos.all()]

    @staticmethod
    def resolve_hazard(obj: PublicReport) -> UUID | None:
        return obj.hazard.uuid if obj.hazard else None

    @staticmethod
    def resolve_hazard_number(obj: PublicReport) -> str | None:
        return obj.hazard.number if obj.hazard else None

    @staticmethod
    def resolve_duplicate_of(obj: PublicReport) -> UUID | None:
        return obj.duplicate_of.uuid if obj.duplicate_of else None


class ConfirmIn(Schema):
    description: str = Field("", max_length=services.TEXT_MAX)
    category: CheckCategory | None = None
    note: str = Field("", max_length=NOTE_MAX)


class RejectIn(Schema):
    reason: RejectReason
    note: str = Field("", max_length=NOTE_MAX)


def _qs():
    return PublicReport.objects.select_related(
        "organization", "poster__risk_point", "hazard", "duplicate_of"
    ).prefetch_related("photos")


@router.get("/reports", response=list[PublicReportOut], summary="Public reports you may triage, newest first")
@paginate
def list_reports(
    request,
    status: Status | None = None,
    institution: UUID | None = None,
):
    if not has_perm_anywhere(request.auth, PERM):
        raise PermissionDenied(PERM)
    qs = _qs().for_user(request.auth, PERM)
    if status:
        qs = qs.filter(status=status)
    if institution:
        qs = qs.filter(organization__uuid=institution)
    return qs.order_by("-received_at", "-id")


@router.get("/reports/{uuid}", response=PublicReportOut)
def get_report(request, uuid: UUID):
    return get_for_user(_qs(), request.auth, PERM, uuid=uuid)


@router.post(
    "/reports/{uuid}/confirm",
    response=PublicReportOut,
    summary="Confirm a report as a new hazard (the poster's place, risk point and photos go with it)",
    description="Empty `description`: the visitor's words. Refused (400) once the report was decided.",
)
def confirm(request, uuid: UUID, data: ConfirmIn):
    report = get_for_user(_qs(), request.auth, PERM, uuid=uuid)
    services.confirm(
        actor=request.auth,
        report=report,
        description=data.description,
        category=data.category or "",
        note=data.note,
    )
    return _qs().get(pk=report.pk)


@router.post(
    "/reports/{uuid}/reject",
    response=PublicReportOut,
    summary="Reject a report with a reason (the visitor reads “checked: no action needed”)",
    description="Refused (400) when the report was already decided.",
)
def reject(request, uuid: UUID, data: RejectIn):
    report = get_for_user(_qs(), request.auth, PERM, uuid=uuid)
    services.reject(actor=request.auth, report=report, reason=data.reason, note=data.note)
    return _qs().get(pk=report.pk)
