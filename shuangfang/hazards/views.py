from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shuangfang.core import jobs, periods
from shuangfang.core.listing import Column, ListPage, link_to
from shuangfang.core.pdf import pdf_response, render_pdf
from shuangfang.core.photos import attach_evidence, serve_file
from shuangfang.core.submissions import idempotent, refuse_form
from shuangfang.core.tenancy import can, get_for_user, has_perm_anywhere, require_perm, scope_orgs
from shuangfang.core.types import AuthedRequest
from shuangfang.core.views import bad_request
from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.orgs.models import Membership

from . import services, stats, triage, workflow
from .choices import OPEN_STATUSES, PhotoKind, Source, Status, Treatment
from .filters import HazardFilter
from .forms import ReportForm, initial_for, move_form_class
from .models import Hazard, HazardEvent, HazardPhoto

LEDGER_PDF_MAX = 500
STATS_PERIODS = (periods.PeriodKind.YEAR, periods.PeriodKind.QUARTER)


def _labels(choices) -> dict[str, str]:
    """Choice labels translated once per page, not once per row (the ledger has 100,000 rows)."""
    return {value: str(label) for value, label in choices}


def _columns(export: bool) -> list[Column]:
    grade, category, source = (
        _labels(HazardGrade.choices),
        _labels(CheckCategory.choices),
        _labels(Source.choices),
    )
    status, treatment = _labels(Status.choices), _labels(Treatment.choices)
    overdue, today = _("Overdue"), timezone.localdate()
    link = link_to("hazards:detail")
    cols = [
        Column(_("Number"), lambda h: h.number, link=lambda h: link(h.uuid)),
        Column(pgettext("hazard", "Title"), lambda h: h.shown_title, link=lambda h: link(h.uuid)),
        Column(_("Institution"), lambda h: h.organization.name),
        Column(
            pgettext("hazard", "Location"),
            lambda h: " · ".join(x for x in (h.department.name if h.department else "", h.location) if x),
        ),
        Column(_("Grade"), lambda h: grade.get(h.grade, "")),
        Column(pgettext("hazard", "Category"), lambda h: category.get(h.category, "")),
        Column(pgettext("hazard", "Source"), lambda h: source.get(h.source, "")),
        Column(_("Status"), lambda h: status.get(h.status, "")),
        Column(pgettext("hazard", "Responsible person"), lambda h: h.responsible),
        Column(_("Deadline"), lambda h: h.deadline),
        Column(_("Overdue"), lambda h: overdue if h.is_overdue(today) else ""),
        Column(_("Reported at"), lambda h: h.reported_at),
    ]
    if export:  # the ledger (台账): the whole record of each hazard
        cols += [
            Column(_("Description"), lambda h: h.description),
            Column(_("Reported by"), lambda h: h.reporter or _("system")),
            Column(_("Cause"), lambda h: h.cause),
            Column(_("Treatment"), lambda h: treatment.get(h.treatment, "")),
            Column(_("Rectification measures"), lambda h: h.measures),
            Column(_("Funds (yuan)"), lambda h: h.funds),
            Column(_("What was done"), lambda h: h.fix_note),
            Column(_("Accepted by"), lambda h: h.accepted_by),
            Column(_("Accepted at"), lambda h: h.accepted_at),
            Column(_("Acceptance comment"), lambda h: h.acceptance_comment),
            Column(_("Closed at"), lambda h: h.closed_at),
            Column(_("Under bureau supervision"), lambda h: h.supervised),
            Column(_("Photos"), _photo_links),
        ]
    return cols


def _statistics_xlsx(data: dict) -> HttpResponseBase:
    """The statistics page as a workbook: the figures, then one sheet per breakdown."""
    from django.http import FileResponse

    from shuangfang.core.exports import XLSX, write_workbook

    t, c = data["totals"], data["closing"]
    figures = [
        (_("Reported"), t["total"]),
        (_("Major hazards"), t["major"]),
        (_("Still open"), t["open"]),
        (_("Overdue"), t["overdue"]),
        (_("Closed"), c["closed"]),
        (_("Closed on time") + " (%)", c["on_time_rate"]),
        (_("Average days to close"), c["avg_days"]),
    ]
    count = _("Hazards")
    sheets = [(str(data["period"].label), [pgettext("metric", "Figure"), _("Value")], figures)]
    for key, title in (
        ("by_grade", _("By grade")),
        ("by_category", _("By category")),
        ("by_source", _("By source")),
        ("by_status", _("By status")),
        ("by_department", _("By department")),
        ("by_institution", _("By institution")),
    ):
        sheets.append((title, [title, count], data[key]))
    response = FileResponse(write_workbook(sheets), content_type=XLSX)
    name = _("hazard-statistics") + f"-{data['period'].key}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _photo_links(h: Hazard) -> str:
    """The hazard's photos as links (one a line), to open from the ledger."""
    return "\n".join(f"{settings.SITE_URL}{reverse('hazards:photo', args=[p.uuid])}" for p in h.photos.all())


# What the page's columns (``_columns(export=False)``) read: the page loads only these (a whole
# hazard with its institution, department and person was half of the page's row time).
PAGE_FIELDS = (
    "uuid",
    "number",
    "title",
    "title_msg",
    "organization__name",
    "department__name",
    "location",
    "grade",
    "category",
    "source",
    "status",
    "responsible__name",
    "responsible__username",
    "deadline",
    "reported_at",
)


def _scoped(request):
    qs = Hazard.objects.for_user(request.user, "hazard.view").select_related(
        "organization", "department", "responsible"
    )
    if request.GET.get("export"):
        return qs.select_related("reporter", "accepted_by").prefetch_related("photos")
    return qs.only(*PAGE_FIELDS)


@require_perm("hazard.view")
def hazard_list(request: AuthedRequest) -> HttpResponse:
    export = request.GET.get("export") == "xlsx"
    if export and not has_perm_anywhere(request.user, "hazard.ledger"):
        raise PermissionDenied("hazard.ledger")
    qs = _scoped(request)
    ledger_scope = scope_orgs(request.user, "hazard.ledger")
    if export and ledger_scope is not None:
        qs = qs.filter(organization__in=ledger_scope)
    page = ListPage(
        request,
        qs,
        filterset_class=HazardFilter,
        columns=_columns(export),
        template="hazards/list.html",
        export_name=_("hazard-ledger"),
        context={
            "can_ledger": has_perm_anywhere(request.user, "hazard.ledger"),
            "can_report": has_perm_anywhere(request.user, "hazard.report"),
        },
    )
    return page.response()


@require_perm("hazard.view")
def my_hazards(request: AuthedRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    base = Hazard.objects.for_user(user, "hazard.view").select_related("organization")
    mine = list(
        base.filter(responsible=user, status__in=[Status.PLANNING, Status.RECTIFYING]).order_by(
            "deadline", "id"
        )[:100]
    )
    waiting = list(
        base.filter(Q(responsible=user) | Q(fixed_by=user), status=Status.PENDING_ACCEPTANCE).order_by(
            "-fixed_at"
        )[:50]
    )
    for h in mine:
        h.days_left = (h.deadline - today).days if h.deadline else None
    reported = list(base.filter(reporter=user).order_by("-reported_at")[:10])
    queues = {}
    if has_perm_anywhere(user, "hazard.confirm"):
        confirm_qs = Hazard.objects.for_user(user, "hazard.confirm").select_related("organization")
        queues["to_confirm"] = list(confirm_qs.filter(status=Status.REPORTED)[:50])
        queues["to_plan"] = list(confirm_qs.filter(status=Status.PLANNING)[:50])
        queues["extensions"] = list(
            confirm_qs.filter(status=Status.RECTIFYING, extension_until__isnull=False)[:50]
        )
    if has_perm_anywhere(user, "hazard.accept"):
        queues["to_accept"] = list(
            Hazard.objects.for_user(user, "hazard.accept")
            .filter(status=Status.PENDING_ACCEPTANCE)
            .exclude(fixed_by=user)
            .select_related("organization")[:50]
        )
    if has_perm_anywhere(user, "hazard.supervise"):
        queues["major"] = list(
            Hazard.objects.for_user(user, "hazard.supervise")
            .filter(status__in=OPEN_STATUSES)
            .filter(Q(grade=HazardGrade.MAJOR) | Q(supervised=True))
            .select_related("organization")[:50]
        )
    overdue = sum(1 for h in mine if h.is_overdue(today))
    return render(
        request,
        "hazards/mine.html",
        {
            "mine": mine,
            "waiting": waiting,
            "reported": reported,
            "queues": queues,
            "overdue": overdue,
            "triage_lines": triage.lines(user),  # other apps' queues (hazards.triage)
        },
    )


def _risk_point_from(request: AuthedRequest):
    """The risk point a report starts from (its page's "report a hazard here" button)."""
    from shuangfang.risks.models import RiskPoint

    key = request.POST.get("risk_point") or request.GET.get("risk_point") or ""
    if not key:
        return None
    return get_for_user(
        RiskPoint.objects.select_related("organization"), request.user, "hazard.report", uuid=key
    )


@require_perm("hazard.report")
@idempotent("hazard.report")
def report(request: AuthedRequest) -> HttpResponse:
    point = _risk_point_from(request)
    initial = (
        {"location": f"{point.code} {point.name}", "organization": point.organization} if point else None
    )
    form = ReportForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = d["organization"]
        membership = (
            Membership.objects.active()
            .filter(user=request.user, organization__institution=org, organization__kind="department")
            .select_related("organization")
            .first()
        )
        try:
            hazard = services.report_hazard(
                actor=request.user,
                organization=org,
                department=membership.organization if membership else None,
                description=d["description"],
                source=d["source"],
                location=d["location"],
                category=d["category"],
                photos=attach_evidence(d["photos"], request.POST, "photos"),
                risk_point=point,
                criterion_code=d["criterion"],
            )
        except ValidationError as exc:
            for m in exc.messages:
                form.add_error(None, m)
        else:
            messages.success(request, _("Reported as %(number)s. Thank you.") % {"number": hazard.number})
            return redirect("hazards:detail", uuid=hazard.uuid)
    if request.method == "POST":
        refuse_form(request, form)
    places = list(
        Hazard.objects.for_user(request.user, "hazard.report")
        .exclude(location="")
        .order_by("-reported_at")
        .values_list("location", flat=True)[:200]
    )
    return render(
        request,
        "hazards/report.html",
        {"form": form, "places": list(dict.fromkeys(places))[:20], "risk_point": point},
    )


def _detail_qs():
    return Hazard.objects.select_related(
        "organization",
        "department",
        "reporter",
        "responsible",
        "confirmed_by",
        "fixed_by",
        "accepted_by",
        "duplicate_of",
        "supervised_by",
        "criterion__standard",
        "criterion__article",
        "downgrade_approved_by",
    )


@require_perm("hazard.view")
def detail(request: AuthedRequest, uuid) -> HttpResponse:
    hazard = get_for_user(_detail_qs(), request.user, "hazard.view", uuid=uuid)
    timeline = HazardEvent.objects.filter(hazard=hazard).select_related("actor")
    photos = list(hazard.photos.all())
    return render(
        request,
        "hazards/detail.html",
        {
            "h": hazard,
            "timeline": timeline,
            "before": [p for p in photos if p.kind == PhotoKind.BEFORE],
            "progress": [p for p in photos if p.kind == PhotoKind.PROGRESS],
            "after": [p for p in photos if p.kind == PhotoKind.AFTER],
            "moves": [m for m in workflow.available(hazard, request.user) if m.action != "comment"],
            "can_comment": True,
            "can_ledger": can(request.user, "hazard.ledger", hazard.organization),
            "overdue": hazard.is_overdue(),
        },
    )


@require_perm("hazard.view")
def act(request: AuthedRequest, uuid) -> HttpResponse:
    """One move: ``?do=<action>`` (GET: its form; POST: make it). Without ``do``: the moves open to
    the user now."""
    action = request.POST.get("do") or request.GET.get("do", "")
    hazard = get_for_user(_detail_qs(), request.user, "hazard.view", uuid=uuid)
    if not action:
        moves = workflow.available(hazard, request.user)
        return render(request, "hazards/act_choose.html", {"h": hazard, "moves": moves})
    move = workflow.MOVES.get(action)
    if move is None:
        raise Http404
    if not workflow.open_to(move, hazard, request.user):
        raise PermissionDenied(move.perm)
    form_class = move_form_class(move, hazard)
    form = form_class(request.POST or None, request.FILES or None, initial=initial_for(move, hazard))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photos = attach_evidence(data.pop("photos", []), request.POST, "photos")
        note = data.pop("note", "")
        try:
            services.act(actor=request.user, hazard=hazard, action=action, note=note, photos=photos, **data)
        except ValidationError as exc:
            for m in exc.messages:
                form.add_error(None, m)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": move.label})
            if move.action in ("submit",):
                return redirect("hazards:mine")
            return redirect("hazards:detail", uuid=hazard.uuid)
    return render(request, "hazards/act.html", {"h": hazard, "move": move, "form": form})


@require_perm("hazard.view")
def photo(request: AuthedRequest, uuid) -> HttpResponseBase:
    size = request.GET.get("size", "display")
    p = HazardPhoto.objects.select_related("hazard").filter(uuid=uuid).first()
    if p is None or not Hazard.objects.for_user(request.user, "hazard.view").filter(pk=p.hazard_id).exists():
        raise Http404
    name = {"thumb": p.thumb, "display": p.display, "original": p.original}.get(size)
    if name is None:
        raise Http404
    return serve_file(name)


def _photo_data_uri(name: str) -> str:
    import base64

    from django.core.files.storage import default_storage

    try:
        with default_storage.open(name, "rb") as fh:
            return "data:image/jpeg;base64," + base64.b64encode(fh.read()).decode()
    except (OSError, FileNotFoundError):
        return ""


@require_perm("hazard.ledger")
def ledger_pdf(request: AuthedRequest) -> HttpResponse:
    qs = Hazard.objects.for_user(request.user, "hazard.ledger").select_related(
        "organization", "department", "responsible", "accepted_by"
    )
    f = HazardFilter(request.GET or None, queryset=qs, request=request)
    qs = f.qs if f.is_valid() else qs
    if wait := jobs.offload(request, qs[: LEDGER_PDF_MAX + 1].count(), _("Hazard ledger (PDF)")):
        return wait
    rows = list(
        qs.prefetch_related(
            Prefetch(
                "photos", queryset=HazardPhoto.objects.filter(kind__in=[PhotoKind.BEFORE, PhotoKind.AFTER])
            )
        )[: LEDGER_PDF_MAX + 1]
    )
    truncated = len(rows) > LEDGER_PDF_MAX
    rows = rows[:LEDGER_PDF_MAX]
    for h in rows:
        ps = list(h.photos.all())
        h.before_img = next((_photo_data_uri(p.thumb) for p in ps if p.kind == PhotoKind.BEFORE), "")
        h.after_img = next((_photo_data_uri(p.thumb) for p in ps if p.kind == PhotoKind.AFTER), "")
    data = render_pdf(
        "hazards/ledger_pdf.html",
        {
            "rows": rows,
            "truncated": truncated,
            "limit": LEDGER_PDF_MAX,
            "now": timezone.now(),
            "filters": f.form.cleaned_data if f.is_valid() else {},
        },
        request=request,
    )
    return pdf_response(data, _("hazard-ledger") + ".pdf")


@require_perm("hazard.ledger")
def special_file(request: AuthedRequest, uuid) -> HttpResponse:
    hazard = get_for_user(_detail_qs(), request.user, "hazard.ledger", uuid=uuid)
    photos = [
        {"kind": p.get_kind_display(), "src": _photo_data_uri(p.display), "at": p.created_at}
        for p in hazard.photos.all()
    ]
    timeline = HazardEvent.objects.filter(hazard=hazard).select_related("actor")
    data = render_pdf(
        "hazards/file_pdf.html",
        {"h": hazard, "photos": photos, "timeline": timeline, "now": timezone.now()},
        request=request,
    )
    return pdf_response(data, f"{hazard.number}.pdf")


@require_perm("hazard.ledger")
def statistics(request: AuthedRequest) -> HttpResponseBase:
    """A year or one of its quarters (``?year=2026&quarter=4``, the current year by default); a
    value it cannot read is a 400 with the reason, never silently another period."""
    today = timezone.localdate()
    year = (request.GET.get("year") or "").strip() or str(today.year)
    quarter = (request.GET.get("quarter") or "").strip()
    try:
        period = periods.parse(f"{year}-Q{quarter}" if quarter else year, STATS_PERIODS)
    except ValidationError as exc:
        return bad_request(request, exc)
    qs = Hazard.objects.for_user(request.user, "hazard.ledger")
    if request.GET.get("export") == "xlsx":
        # A city's years of hazards take seconds to count: over the immediate limit, a worker
        # replays this page as its owner behind a progress page (core.jobs).
        title = _("Hazard statistics %(period)s") % {"period": period.label}
        if wait := jobs.offload(request, qs.count(), title, settings.EXPORT_IMMEDIATE_ROWS):
            return wait
        return _statistics_xlsx(stats.compute(qs, period))
    data = stats.compute(qs, period)
    return render(
        request,
        "hazards/statistics.html",
        {
            "s": data,
            "year": period.year,
            "quarter": period.quarter if period.kind == periods.PeriodKind.QUARTER else None,
            "years": sorted({*range(today.year - 4, today.year + 1), period.year}),
            "quarters": [1, 2, 3, 4],
        },
    )
