"""Reports API: an organisation's reports, generating one (400 with the reason for a malformed or
unfinished period), one report's figures, and its PDF and workbook."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from shuangfang.core.limits import SHORT

from . import services, views
from .models import Report
from .periods import parse, report_kind

router = Router(tags=["reports"])


class ReportOut(Schema):
    uuid: UUID
    organization: UUID
    organization_name: str
    kind: str
    period: str
    period_start: dt.date
    period_end: dt.date
    generated_at: dt.datetime
    generated_by: str | None
    pdf_url: str
    xlsx_url: str

    @staticmethod
    def resolve_organization(obj: Report) -> UUID:
        return obj.organization.uuid

    @staticmethod
    def resolve_organization_name(obj: Report) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_period(obj: Report) -> str:
        return obj.period.key

    @staticmethod
    def resolve_generated_by(obj: Report) -> str | None:
        return obj.generated_by.name if obj.generated_by else None

    @staticmethod
    def resolve_pdf_url(obj: Report) -> str:
        return reverse("api:reports_pdf", kwargs={"uuid": obj.uuid})

    @staticmethod
    def resolve_xlsx_url(obj: Report) -> str:
        return reverse("api:reports_xlsx", kwargs={"uuid": obj.uuid})


class ReportDetailOut(ReportOut):
    figures: dict[str, Any]


class GenerateIn(Schema):
    period: str = Field(..., max_length=SHORT)  # 2026-10 or 2026-Q3


@router.get(
    "/organizations/{uuid}/reports",
    response=list[ReportOut],
    summary="The reports of an institution or bureau, newest period first",
)
def list_reports(request, uuid: UUID):
    org = views.get_org(request.auth, uuid)
    return list(
        Report.objects.light().filter(organization=org).select_related("organization", "generated_by")
    )


@router.post(
    "/organizations/{uuid}/reports",
    response={201: ReportOut},
    summary="Generate (or generate again) the report of an ended month (2026-10) or quarter (2026-Q3)",
)
def generate(request, uuid: UUID, data: GenerateIn):
    org = views.get_org(request.auth, uuid, views.GENERATE)
    period = parse(data.period, timezone.localdate())
    report = services.generate(org, report_kind(period), period.start, actor=request.auth)
    return Status(
        201, Report.objects.light().select_related("organization", "generated_by").get(pk=report.pk)
    )


@router.get("/{uuid}", response=ReportDetailOut, summary="One report with its stored figures")
def get_report(request, uuid: UUID):
    return views.get_report(request.auth, uuid)


@router.get("/{uuid}/pdf", url_name="reports_pdf", summary="The report as PDF")
def get_pdf(request, uuid: UUID) -> HttpResponse:
    return views.pdf_file(views.get_report(request.auth, uuid, files=True))


@router.get("/{uuid}/xlsx", url_name="reports_xlsx", summary="The report's figures as an Excel workbook")
def get_xlsx(request, uuid: UUID) -> HttpResponse:
    return views.xlsx_file(views.get_report(request.auth, uuid, files=True))
