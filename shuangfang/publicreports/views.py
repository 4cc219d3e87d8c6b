"""The officer's pages: the triage queue of public reports, one report with its three decisions,
the QR posters (print A4/A5, switch off)."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from shuangfang.core.listing import Column, ListPage
from shuangfang.core.pdf import pdf_response, render_pdf
from shuangfang.core.photos import serve_file
from shuangfang.core.qr import absolute, qr_png
from shuangfang.core.tenancy import get_for_user, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization, OrgKind

from . import services
from .choices import Status
from .filters import PublicReportFilter
from .forms import ConfirmForm, MergeForm, RejectForm
from .models import Poster, PublicPhoto, PublicReport

PERM = "publicreport.triage"


def _columns() -> list[Column]:
    return [
        Column(
            pgettext("public report", "Received"),
            lambda r: r.received_at,
            link=lambda r: r.get_absolute_url(),
        ),
        Column(_("Institution"), lambda r: r.organization.name),
        Column(_("Place"), lambda r: r.poster.place or "—"),
        Column(_("What the visitor saw"), lambda r: (r.text or "")[:60] or _("(photo only)")),
        Column(_("Photos"), lambda r: r.photo_count),
        Column(_("Status"), lambda r: r.get_status_display()),
        Column(_("Hazard"), lambda r: r.hazard.number if r.hazard else ""),
    ]


def triage_count(user) -> int:
    """Public reports waiting for ``user``'s decision (the hazards page's pointer to the queue)."""
    return PublicReport.objects.for_user(user, PERM).filter(status=Status.RECEIVED).count()


@require_perm(PERM)
def queue(request: AuthedRequest) -> HttpResponse:
    if not request.GET:
        return redirect(f"{request.path}?status={Status.RECEIVED}")
    qs = (
        PublicReport.objects.for_user(request.user, PERM)
        .select_related("organization", "poster__risk_point", "hazard")
        .annotate(photo_count=Count("photos"))
        # Meta.ordering is dropped from a GROUP BY query (the count): newest first, said again.
        .order_by("-received_at", "-id")
    )
    return ListPage(
        request,
        qs,
        filterset_class=PublicReportFilter,
        columns=_columns(),
        template="publicreports/queue.html",
        export_name=_("public-reports"),
        context={"waiting": triage_count(request.user)},
    ).response()


def _report(request: AuthedRequest, uuid) -> PublicReport:
    qs = PublicReport.objects.select_related(
        "organization", "poster__risk_point", "hazard", "duplicate_of", "decided_by"
    )
    return get_for_user(qs, request.user, PERM, uuid=uuid)


@require_perm(PERM)
def detail(request: AuthedRequest, uuid) -> HttpResponse:
    report = _report(request, uuid)
    return _detail(request, report)


def _detail(request: AuthedRequest, report: PublicReport, status: int = 200, **forms) -> HttpResponse:
    can_decide = report.status == Status.RECEIVED and services.FLOW.allowed(report, "reject", request.user)
    ctx = {
        "report": report,
        "photos": list(report.photos.all()),
        "duplicates": list(report.duplicates.select_related("poster__risk_point")),
        "shown": services.public_status(report),
        "can_decide": can_decide,
        "confirm_form": forms.get("confirm_form") or ConfirmForm(initial={"description": report.text}),
        "merge_form": forms.get("merge_form") or MergeForm(report=report),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "open_form": forms.get("open_form", ""),
    }
    return render(request, "publicreports/detail.html", ctx, status=status)


@require_perm(PERM)
@require_POST
def act(request: AuthedRequest, uuid) -> HttpResponseBase:
    report = _report(request, uuid)
    action = request.POST.get("do", "")
    try:
        if action == "confirm":
            form = ConfirmForm(request.POST)
            if not form.is_valid():
                return _detail(request, report, 400, confirm_form=form, open_form="confirm")
            hazard = services.confirm(
                actor=request.user,
                report=report,
                description=form.cleaned_data["description"],
                category=form.cleaned_data["category"],
                existing=_existing_hazard(report, form.cleaned_data["existing"]),
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Confirmed: hazard %(number)s.") % {"number": hazard.number})
        elif action == "merge":
            mform = MergeForm(request.POST, report=report)
            if not mform.is_valid():
                return _detail(request, report, 400, merge_form=mform, open_form="merge")
            services.merge(
                actor=request.user,
                report=report,
                into=mform.cleaned_data["into"],
                note=mform.cleaned_data["note"],
            )
            messages.success(request, _("Merged: the visitor now follows the other report."))
        elif action == "reject":
            rform = RejectForm(request.POST)
            if not rform.is_valid():
                return _detail(request, report, 400, reject_form=rform, open_form="reject")
            services.reject(
                actor=request.user,
                report=report,
                reason=rform.cleaned_data["reason"],
                note=rform.cleaned_data["note"],
            )
            messages.success(request, _("Rejected. The visitor sees “checked: no action needed”."))
        else:
            raise Http404
    except ValidationError as exc:
        report.refresh_from_db()
        messages.error(request, " ".join(exc.messages))
        return _detail(request, report, 400)
    return redirect(report.get_absolute_url())


def _existing_hazard(report: PublicReport, number: str):
    """The hazard of the report's institution with ``number``; None when none was typed."""
    from shuangfang.hazards.models import Hazard

    number = (number or "").strip().upper()
    if not number:
        return None
    hazard = Hazard.objects.filter(organization=report.organization, number=number).first()
    if hazard is None:
        raise ValidationError(_("No hazard %(number)s at this institution.") % {"number": number})
    return hazard


@require_perm(PERM)
def photo(request: AuthedRequest, uuid) -> HttpResponseBase:
    report = get_for_user(PublicReport.objects.all(), request.user, PERM, photos__uuid=uuid)
    p = PublicPhoto.objects.get(report=report, uuid=uuid)
    name = {"thumb": p.thumb, "display": p.display, "original": p.original}.get(
        request.GET.get("size", "display")
    )
    if name is None:
        raise Http404
    return serve_file(name)


# --- posters ------------------------------------------------------------------------------------


def _institutions(user):
    return Organization.objects.for_user(user, PERM).filter(kind=OrgKind.INSTITUTION).order_by("path")


@require_perm(PERM)
def posters(request: AuthedRequest) -> HttpResponse:
    institutions = list(_institutions(request.user))
    rows = (
        Poster.objects.for_user(request.user, PERM)
        .select_related("organization", "risk_point")
        .annotate(
            received=Count("reports"), waiting=Count("reports", filter=Q(reports__status=Status.RECEIVED))
        )
        .order_by("organization__path", "risk_point__code")
    )
    by_org: dict[int, list[Poster]] = {}
    for p in rows:
        by_org.setdefault(p.organization_id, []).append(p)
    groups = [(org, by_org.get(org.pk, [])) for org in institutions]
    return render(request, "publicreports/posters.html", {"groups": groups})


@require_perm(PERM)
@require_POST
def posters_make(request: AuthedRequest) -> HttpResponseBase:
    institution = get_for_user(
        _institutions(request.user), request.user, PERM, uuid=request.POST.get("institution")
    )
    made = services.make_posters(actor=request.user, institution=institution)
    messages.success(
        request, _("%(n)d posters made.") % {"n": made} if made else _("Every poster is already made.")
    )
    return redirect("publicreports:posters")


def _poster(request: AuthedRequest, uuid) -> Poster:
    return get_for_user(
        Poster.objects.select_related("organization", "risk_point"), request.user, PERM, uuid=uuid
    )


@require_perm(PERM)
def poster_pdf(request: AuthedRequest, uuid) -> HttpResponse:
    poster = _poster(request, uuid)
    size = request.GET.get("size", "a4").lower()
    if size not in ("a4", "a5"):
        raise Http404
    url = absolute(poster.get_public_url())
    ctx = {
        "poster": poster,
        "institution": poster.organization,
        "size": size,
        "url": url,
        "qr": base64.b64encode(qr_png(url, scale=12)).decode(),
    }
    data = render_pdf("publicreports/poster_pdf.html", ctx, request=request)
    name = f"{poster.organization.name}-{poster.place or '二维码'}-{size.upper()}.pdf"
    return pdf_response(data, name)


@require_perm(PERM)
@require_POST
def poster_switch(request: AuthedRequest, uuid) -> HttpResponseBase:
    poster = _poster(request, uuid)
    on = request.POST.get("on") == "1"
    services.switch_poster(actor=request.user, poster=poster, on=on)
    if on:
        messages.success(request, _("The poster takes reports again."))
    else:
        messages.success(
            request, _("The poster is switched off: its QR code now says so and takes no report.")
        )
    return redirect("publicreports:posters")


def triage_line(user):
    """The line on "My hazards" (``hazards.triage``): public reports waiting, for those who decide."""
    from shuangfang.core.tenancy import has_perm_anywhere
    from shuangfang.hazards.triage import TriageLine

    if not has_perm_anywhere(user, PERM):
        return None
    n = triage_count(user)
    if not n:
        return None
    return TriageLine(
        label=_("Public reports to triage"),
        count=n,
        url=reverse("publicreports:queue") + f"?status={Status.RECEIVED}",
    )
