from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangfang.core.exports import xlsx_response
from shuangfang.core.forms import add_service_errors as _form_error
from shuangfang.core.listing import Column, ListPage
from shuangfang.core.pdf import pdf_response, render_pdf
from shuangfang.core.photos import serve_file
from shuangfang.core.qr import qr_png
from shuangfang.core.tenancy import can, get_for_user, has_perm_anywhere, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization, OrgKind, Post

from . import inventory, maps, scoring, services
from .choices import (
    LEVEL_GUIDANCE,
    NATIONAL,
    NATIONAL_NAMES,
    NATIONAL_PALETTE,
    SEED_NAMES,
    SEED_PALETTE,
    MeasureCategory,
    RiskLevel,
    default_tier,
    palette_for,
)
from .filters import InventoryFilter, PointFilter
from .forms import (
    AdoptForm,
    AssessForm,
    FactorForm,
    FloorForm,
    ImportForm,
    LibraryEntryForm,
    MeasureForm,
    PaletteForm,
    PlanForm,
    PointEditForm,
    PointForm,
    ReviewForm,
    institutions_for,
)
from .models import Assessment, AssessmentMethod, ControlMeasure, Floor, HazardFactor, LibraryEntry, RiskPoint


def _user_palette(user):
    """The palette for list pages: the one of the user's first institution or bureau."""
    m = user.active_memberships().select_related("organization").order_by("organization__depth").first()
    return palette_for(m.organization) if m else NATIONAL


def _level_cell(palette):
    def cell(level):
        return RiskLevel(level).label if level else ""

    return cell


# --- Risk points ---------------------------------------------------------------------------------


@require_perm("risk.view")
def point_list(request: AuthedRequest) -> HttpResponse:
    qs = (
        RiskPoint.objects.for_user(request.user, "risk.view")
        .select_related("organization", "department", "floor")
        .order_by("organization__path", "number")
    )
    page = ListPage(
        request,
        qs,
        columns=[
            Column(_("Code"), lambda p: p.code, link=lambda p: p.get_absolute_url()),
            Column(_("Risk point"), lambda p: p.name, link=lambda p: p.get_absolute_url()),
            Column(_("Institution"), lambda p: p.organization.name),
            Column(_("Type"), lambda p: p.get_kind_display()),
            Column(_("Location"), lambda p: " ".join(x for x in (p.building, p.area, p.location) if x)),
            Column(_("Inherent level"), lambda p: p.get_inherent_level_display() if p.inherent_level else ""),
            Column(_("Residual level"), lambda p: p.get_residual_level_display() if p.residual_level else ""),
            Column(_("Next review"), lambda p: p.next_review_on),
        ],
        template="risks/points.html",
        filterset_class=PointFilter,
        export_name="risk-points",
        context={"can_edit": has_perm_anywhere(request.user, "risk.edit")},
    )
    return page.response()


@require_perm("risk.edit")
def point_create(request: AuthedRequest) -> HttpResponse:
    institution = None
    inst_uuid = request.GET.get("institution") or request.POST.get("institution_uuid")
    if inst_uuid:
        institution = get_for_user(
            Organization, request.user, "risk.edit", uuid=inst_uuid, kind=OrgKind.INSTITUTION
        )
    form = PointForm(request.POST or None, user=request.user, institution=institution)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        inst = data.pop("institution")
        if data.get("next_review_on") is None:
            data.pop("next_review_on")
        try:
            point = services.create_risk_point(actor=request.user, institution=inst, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(code)s %(name)s was created. Now add its hazard factors.")
                % {"code": point.code, "name": point.name},
            )
            return redirect("risks:point", uuid=point.uuid)
    return render(request, "risks/form.html", {"form": form, "title": _("New risk point")})


def _point_detail_qs() -> Any:
    measures = Prefetch("measures", queryset=ControlMeasure.objects.select_related("responsible"))
    assessments = Prefetch("assessments", queryset=Assessment.objects.select_related("method", "assessed_by"))
    factors: Any = HazardFactor.objects.all()
    factors = factors.prefetch_related(measures, assessments)
    points: Any = RiskPoint.objects.select_related("organization", "department", "post", "floor")
    return points.prefetch_related(Prefetch("factors", queryset=factors))


@require_perm("risk.view")
def point_detail(request: AuthedRequest, uuid) -> HttpResponse:
    point = get_for_user(_point_detail_qs(), request.user, "risk.view", uuid=uuid)
    palette = palette_for(point.organization)
    factors = list(point.factors.all())
    for f in factors:
        f.latest = {a.kind: a for a in reversed(list(f.assessments.all()))}
        f.latest_list = [f.latest[k] for k in ("inherent", "residual") if k in f.latest]
    today = timezone.localdate()
    return render(
        request,
        "risks/point.html",
        {
            "point": point,
            "factors": factors,
            "palette": palette,
            "can_edit": can(request.user, "risk.edit", point.organization),
            "qr": base64.b64encode(qr_png(point.get_absolute_url(), scale=4)).decode(),
            "guidance": LEVEL_GUIDANCE.get(point.level or 0, ""),
            "overdue": bool(point.next_review_on and point.next_review_on < today),
            "review_form": ReviewForm(initial={"next_review_on": today + dt.timedelta(days=365)}),
            "breadcrumb": point.organization.ancestors(),
        },
    )


@require_perm("risk.edit")
def point_edit(request: AuthedRequest, uuid) -> HttpResponse:
    point = get_for_user(RiskPoint, request.user, "risk.edit", uuid=uuid)
    initial = {k: getattr(point, k) for k in services.POINT_FIELDS}
    form = PointEditForm(
        request.POST or None, user=request.user, institution=point.organization, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_risk_point(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("risks:point", uuid=point.uuid)
    return render(request, "risks/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": point}})


@require_POST
@require_perm("risk.edit")
def point_review(request: AuthedRequest, uuid) -> HttpResponse:
    point = get_for_user(RiskPoint, request.user, "risk.edit", uuid=uuid)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.record_review(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Review recorded."))
    else:
        messages.error(request, _("Give the date of the next review."))
    return redirect("risks:point", uuid=point.uuid)


# --- Factors, assessments, measures --------------------------------------------------------------


@require_perm("risk.edit")
def factor_create(request: AuthedRequest, uuid) -> HttpResponse:
    point = get_for_user(RiskPoint, request.user, "risk.edit", uuid=uuid)
    form = FactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            factor = services.add_factor(actor=request.user, point=point, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Factor added. Now assess it."))
            return redirect("risks:assess", uuid=factor.uuid)
    return render(
        request,
        "risks/form.html",
        {"form": form, "title": _("New hazard factor of %(name)s") % {"name": point}},
    )


@require_perm("risk.edit")
def factor_edit(request: AuthedRequest, uuid) -> HttpResponse:
    factor = get_for_user(
        HazardFactor.objects.select_related("risk_point"), request.user, "risk.edit", uuid=uuid
    )
    initial = {k: getattr(factor, k) for k in services.FACTOR_FIELDS}
    form = FactorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_factor(actor=request.user, factor=factor, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("risks:point", uuid=factor.risk_point.uuid)
    return render(request, "risks/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": factor}})


@require_perm("risk.edit")
def assess(request: AuthedRequest, uuid) -> HttpResponse:
    factor = get_for_user(
        HazardFactor.objects.select_related("risk_point"), request.user, "risk.edit", uuid=uuid
    )
    methods = list(AssessmentMethod.objects.filter(is_current=True))
    code = request.POST.get("method") or request.GET.get("method")
    if not methods:
        raise Http404
    method = next((m for m in methods if m.code == code), None) or next(
        (m for m in methods if m.is_default), methods[0]
    )
    form = AssessForm(
        request.POST or None, method=method, initial={"kind": request.GET.get("kind", "inherent")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assess(
                actor=request.user,
                factor=factor,
                method=method,
                inputs={k: v for k, v in form.inputs().items() if v not in (None, "")},
                kind=form.cleaned_data["kind"],
                basis=form.cleaned_data["basis"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Assessment saved."))
            return redirect("risks:point", uuid=factor.risk_point.uuid)
    palette = palette_for(factor.organization)
    bands = [
        {
            **b,
            "text": scoring.describe_band(b),
            "colour": palette.colour(b["level"]),
            "level_label": str(RiskLevel(b["level"]).label),
        }
        for b in method.bands
    ]
    return render(
        request,
        "risks/assess.html",
        {
            "form": form,
            "factor": factor,
            "method": method,
            "methods": methods,
            "bands": bands,
            "bands_json": json.dumps(bands, ensure_ascii=False),
            "palette": palette,
        },
    )


@require_perm("risk.edit")
def measure_create(request: AuthedRequest, uuid) -> HttpResponse:
    factor = get_for_user(
        HazardFactor.objects.select_related("risk_point", "organization"),
        request.user,
        "risk.edit",
        uuid=uuid,
    )
    form = MeasureForm(
        request.POST or None,
        institution=factor.organization,
        initial={"tier": default_tier(factor.level), "category": request.GET.get("category", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_measure(actor=request.user, factor=factor, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Measure added."))
            return redirect("risks:point", uuid=factor.risk_point.uuid)
    return render(
        request,
        "risks/form.html",
        {"form": form, "title": _("New control measure for %(name)s") % {"name": factor}},
    )


@require_perm("risk.edit")
def measure_edit(request: AuthedRequest, uuid) -> HttpResponse:
    measure = get_for_user(
        ControlMeasure.objects.select_related("factor__risk_point", "organization"),
        request.user,
        "risk.edit",
        uuid=uuid,
    )
    initial = {k: getattr(measure, k) for k in services.MEASURE_FIELDS}
    form = MeasureForm(request.POST or None, institution=measure.organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_measure(actor=request.user, measure=measure, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("risks:point", uuid=measure.factor.risk_point.uuid)
    return render(request, "risks/form.html", {"form": form, "title": _("Edit control measure")})


@require_perm("risk.view")
def methods(request: AuthedRequest) -> HttpResponse:
    palette = _user_palette(request.user)
    rows = []
    for m in AssessmentMethod.objects.all():
        rows.append(
            {
                "method": m,
                "bands": [
                    {
                        **b,
                        "text": scoring.describe_band(b),
                        "colour": palette.colour(b["level"]),
                        "level_label": RiskLevel(b["level"]).label,
                    }
                    for b in m.bands
                ],
            }
        )
    return render(request, "risks/methods.html", {"rows": rows, "palette": palette})


# --- Inventory, export, import -------------------------------------------------------------------


def _inventory_qs(request):
    return (
        HazardFactor.objects.for_user(request.user, "risk.view")
        .filter(risk_point__is_active=True)
        .select_related("risk_point", "organization")
        .order_by("organization__path", "risk_point__number", "id")
    )


@require_perm("risk.view")
def inventory_list(request: AuthedRequest) -> HttpResponse:
    qs = _inventory_qs(request)
    if request.GET.get("export") in ("xlsx", "pdf"):
        f = InventoryFilter(request.GET or None, queryset=qs, request=request)
        filtered = f.qs if f.is_valid() else qs
        if request.GET["export"] == "pdf":
            rows = list(inventory.export_rows(filtered[:2000]))
            data = render_pdf(
                "risks/inventory_pdf.html",
                {"headers": inventory.headers(), "rows": rows, "now": timezone.localtime()},
                request=request,
            )
            return pdf_response(data, "risk-inventory.pdf")
        return xlsx_response(
            "risk-inventory.xlsx", inventory.headers(), inventory.export_rows(filtered), title="风险清单"
        )
    palette = _user_palette(request.user)
    page = ListPage(
        request,
        qs,
        columns=[
            Column(_("Risk point"), lambda f: f.risk_point, link=lambda f: f.risk_point.get_absolute_url()),
            Column(_("Institution"), lambda f: f.organization.name),
            Column(_("Hazard factor"), lambda f: f.description),
            Column(_("GB/T 13861 class"), lambda f: f.get_factor_class_display()),
            Column(_("Possible accidents"), lambda f: "、".join(f.accident_types)),
            Column(_("Inherent level"), lambda f: f.get_inherent_level_display() if f.inherent_level else ""),
            Column(_("Residual level"), lambda f: f.get_residual_level_display() if f.residual_level else ""),
        ],
        template="risks/inventory.html",
        filterset_class=InventoryFilter,
        export_name="risk-inventory",
        context={"palette": palette, "can_edit": has_perm_anywhere(request.user, "risk.edit")},
    )
    return page.response()


@require_perm("risk.edit")
def inventory_import(request: AuthedRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = inventory.import_inventory(
                actor=request.user,
                institution=form.cleaned_data["institution"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            if result.ok:
                messages.success(
                    request,
                    _(
                        "Imported: %(p)d new risk points, %(f)d new factors, %(a)d assessments, "
                        "%(m)d new measures."
                    )
                    % {
                        "p": result.points,
                        "f": result.factors,
                        "a": result.assessments,
                        "m": result.measures,
                    },
                )
                return redirect("risks:inventory")
            messages.error(request, _("Nothing was imported: fix the rows below and upload the file again."))
    return render(
        request, "risks/import.html", {"form": form, "result": result, "headers": inventory.headers()}
    )


@require_perm("risk.edit")
def inventory_template(request: AuthedRequest) -> HttpResponse:
    headers, rows = inventory.template_rows()
    return xlsx_response("risk-inventory-template.xlsx", headers, rows, title="风险清单")


# --- Cards ---------------------------------------------------------------------------------------


def _card_context(request, institution, points, title, subject):
    palette = palette_for(institution)
    factors = [f for p in points for f in p.factors.all()]
    level = min((p.level for p in points if p.level), default=None)
    measures = [m for f in factors for m in f.measures.all()]
    by_cat = {c.value: [m for m in measures if m.category == c.value] for c in MeasureCategory}
    responsible = sorted({m.responsible_display for m in measures if m.responsible_display})
    accidents = sorted({a for f in factors for a in f.accident_types})
    return {
        "title": title,
        "subject": subject,
        "institution": institution,
        "points": points,
        "factors": factors,
        "level": level,
        "level_label": RiskLevel(level).label if level else "",
        "colour": palette.colour(level),
        "text_colour": palette.text_colour(level),
        "colour_name": palette.name(level),
        "by_cat": by_cat,
        "prevent": [m for c in ("engineering", "management", "training", "protection") for m in by_cat[c]],
        "emergency": by_cat["emergency"],
        "responsible": responsible,
        "accidents": accidents,
        "phones": [("火警", "119"), ("急救", "120"), (institution.name, institution.phone)],
        "today": timezone.localdate(),
        "qr": base64.b64encode(
            qr_png(points[0].get_absolute_url() if len(points) == 1 else request.path, scale=4)
        ).decode(),
    }


@require_perm("risk.view")
def point_card(request: AuthedRequest, uuid) -> HttpResponse:
    point = get_for_user(_point_detail_qs(), request.user, "risk.view", uuid=uuid)
    kind = request.GET.get("kind", "post")
    if kind not in ("post", "emergency"):
        raise Http404
    title = _("Post risk notification card") if kind == "post" else _("Emergency disposal card")
    ctx = _card_context(
        request, point.organization, [point], title, point.post.name if point.post else point.name
    )
    ctx["kind"] = kind
    ctx["code"] = point.code
    data = render_pdf("risks/card_pdf.html", ctx, request=request)
    return pdf_response(data, f"{point.code}-{kind}.pdf")


@require_perm("risk.view")
def post_card(request: AuthedRequest, uuid) -> HttpResponse:
    post = get_for_user(Post.objects.select_related("organization"), request.user, "risk.view", uuid=uuid)
    points = list(_point_detail_qs().filter(post=post, is_active=True))
    if not points:
        messages.info(request, _("No risk point is linked to the post %(post)s yet.") % {"post": post.name})
        return redirect("risks:index")
    ctx = _card_context(request, post.organization, points, _("Post risk notification card"), post.name)
    ctx["kind"] = "post"
    ctx["code"] = post.name
    data = render_pdf("risks/card_pdf.html", ctx, request=request)
    return pdf_response(data, f"post-card-{post.name}.pdf")


# --- Four-colour map -----------------------------------------------------------------------------


@require_perm("risk.view")
def floors(request: AuthedRequest) -> HttpResponse:
    qs = (
        Floor.objects.for_user(request.user, "risk.view")
        .select_related("organization")
        .annotate(n=Count("points"))
    )
    form = FloorForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if not has_perm_anywhere(request.user, "risk.edit"):
            raise PermissionDenied("risk.edit")
        if form.is_valid():
            try:
                floor = services.create_floor(
                    actor=request.user,
                    institution=form.cleaned_data["institution"],
                    building=form.cleaned_data["building"],
                    name=form.cleaned_data["name"],
                    plan=form.cleaned_data["plan"],
                )
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Floor added."))
                return redirect("risks:floor", uuid=floor.uuid)
    return render(
        request,
        "risks/floors.html",
        {"floors": qs, "form": form, "can_edit": has_perm_anywhere(request.user, "risk.edit")},
    )


def _map_context(request, floor: Floor):
    return maps.floor_map_context(floor, request.GET.get("basis", "inherent"))


@require_perm("risk.view")
def floor_map(request: AuthedRequest, uuid) -> HttpResponse:
    floor = get_for_user(Floor.objects.select_related("organization"), request.user, "risk.view", uuid=uuid)
    ctx = _map_context(request, floor)
    can_edit = can(request.user, "risk.edit", floor.organization)
    ctx["can_edit"] = can_edit
    if can_edit:
        ctx["placeable"] = RiskPoint.objects.filter(organization=floor.organization, is_active=True).order_by(
            "number"
        )
        ctx["plan_form"] = PlanForm()
    ctx["breadcrumb"] = floor.organization.ancestors()
    return render(request, "risks/floor.html", ctx)


@require_perm("risk.view")
def floor_plan(request: AuthedRequest, uuid) -> FileResponse:
    floor = get_for_user(Floor, request.user, "risk.view", uuid=uuid)
    return serve_file(floor.plan)


@require_POST
@require_perm("risk.edit")
def floor_upload(request: AuthedRequest, uuid) -> HttpResponse:
    floor = get_for_user(Floor, request.user, "risk.edit", uuid=uuid)
    form = PlanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.set_floor_plan(actor=request.user, floor=floor, plan=form.cleaned_data["plan"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Floor plan saved."))
    else:
        messages.error(request, _("Choose a picture of the floor plan."))
    return redirect("risks:floor", uuid=floor.uuid)


@require_POST
@require_perm("risk.edit")
def floor_place(request: AuthedRequest, uuid) -> HttpResponse:
    floor = get_for_user(Floor, request.user, "risk.edit", uuid=uuid)
    point_uuid = request.POST.get("point", "")
    try:
        point = get_for_user(RiskPoint, request.user, "risk.edit", uuid=point_uuid)
        services.place_point(
            actor=request.user,
            point=point,
            floor=floor,
            x=request.POST.get("x", ""),
            y=request.POST.get("y", ""),
        )
    except Http404:
        messages.error(request, _("Choose the risk point to place."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s placed on the plan.") % {"name": point})
    return redirect("risks:floor", uuid=floor.uuid)


@require_perm("risk.view")
def floor_pdf(request: AuthedRequest, uuid) -> HttpResponse:
    floor = get_for_user(Floor.objects.select_related("organization"), request.user, "risk.view", uuid=uuid)
    ctx = _map_context(request, floor)
    image = ""
    if floor.plan and default_storage.exists(floor.plan):
        with default_storage.open(floor.plan, "rb") as fh:
            image = base64.b64encode(fh.read()).decode()
    ctx["image"] = image
    # Fit the plan on one landscape A4 page under the title: at most 270 mm wide and 140 mm high.
    ratio = (floor.plan_width / floor.plan_height) if floor.plan_height else 1.6
    ctx["plan_width_mm"] = round(min(270.0, 140.0 * ratio), 1)
    ctx["now"] = timezone.localtime()
    data = render_pdf("risks/map_pdf.html", ctx, request=request)
    return pdf_response(data, f"four-colour-map-{floor}.pdf")


# --- Library -------------------------------------------------------------------------------------


@require_perm("risk.view")
def library(request: AuthedRequest) -> HttpResponse:
    orgs = list(institutions_for(request.user, "risk.view")) or list(
        Organization.objects.for_user(request.user, "risk.view").order_by("depth")[:1]
    )
    itype = request.GET.get("type") or (orgs[0].institution_type if orgs and orgs[0].institution_type else "")
    anchor = orgs[0] if orgs else None
    entries = services.library_for(anchor, itype or None) if anchor else []
    from shuangfang.orgs.models import InstitutionType

    return render(
        request,
        "risks/library.html",
        {
            "entries": entries,
            "itype": itype,
            "types": [t for t in InstitutionType if t != InstitutionType.OTHER],
            "adopt_form": AdoptForm(user=request.user),
            "can_edit": has_perm_anywhere(request.user, "risk.edit"),
            "can_library": has_perm_anywhere(request.user, "risk.library"),
        },
    )


def _entry(request, uuid, perm: str) -> LibraryEntry:
    if not has_perm_anywhere(request.user, perm):
        raise PermissionDenied(perm)
    entry = LibraryEntry.objects.filter(uuid=uuid).first()
    if entry is None:
        raise Http404
    return entry


@require_POST
@require_perm("risk.edit")
def library_adopt(request: AuthedRequest, uuid) -> HttpResponse:
    entry = _entry(request, uuid, "risk.edit")
    form = AdoptForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            point = services.adopt_library_entry(
                actor=request.user,
                institution=form.cleaned_data["institution"],
                entry=entry,
                name=form.cleaned_data["name"] or None,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s adopted; adjust it to your institution.") % {"name": point})
            return redirect("risks:point", uuid=point.uuid)
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return render(request, "risks/form.html", {"form": form, "title": _("Adopt %(name)s") % {"name": entry}})


@require_perm("risk.library")
def library_edit(request: AuthedRequest, uuid) -> HttpResponse:
    entry = _entry(request, uuid, "risk.library")
    if entry.organization_id and not can(request.user, "risk.library", entry.organization):
        raise Http404
    initial = {
        "name": entry.name,
        "kind": entry.kind,
        "area": entry.area,
        "source": entry.source,
        "factors": entry.factors,
    }
    form = LibraryEntryForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        bureau = data.pop("bureau")
        try:
            services.save_library_entry(actor=request.user, bureau=bureau, entry=entry, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved in the bureau's library."))
            return redirect(f"{_url('risks:library')}?type={entry.institution_type}")
    return render(
        request,
        "risks/form.html",
        {"form": form, "title": _("Edit library entry %(name)s") % {"name": entry}},
    )


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


# --- Reviews, bureau overview, palette -----------------------------------------------------------


@require_perm("risk.view")
def reviews(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = (
        RiskPoint.objects.for_user(request.user, "risk.view")
        .filter(is_active=True, next_review_on__lt=today)
        .select_related("organization")
        .order_by("next_review_on")
    )
    page = ListPage(
        request,
        qs,
        filterset_class=PointFilter,
        columns=[
            Column(_("Code"), lambda p: p.code, link=lambda p: p.get_absolute_url()),
            Column(_("Risk point"), lambda p: p.name, link=lambda p: p.get_absolute_url()),
            Column(_("Institution"), lambda p: p.organization.name),
            Column(_("Next review"), lambda p: p.next_review_on),
            Column(_("Days overdue"), lambda p: (today - p.next_review_on).days),
        ],
        template="risks/reviews.html",
        export_name="overdue-reviews",
    )
    return page.response()


@require_perm("risk.view")
def overview(request: AuthedRequest) -> HttpResponse:
    institutions = Organization.objects.for_user(request.user, "risk.view").filter(kind=OrgKind.INSTITUTION)
    today = timezone.localdate()
    counts = {
        row["organization"]: row
        for row in RiskPoint.objects.filter(organization__in=institutions, is_active=True)
        .values("organization")
        .annotate(
            total=Count("id"),
            l1=Count("id", filter=Q(inherent_level=1)),
            l2=Count("id", filter=Q(inherent_level=2)),
            l3=Count("id", filter=Q(inherent_level=3)),
            l4=Count("id", filter=Q(inherent_level=4)),
            unassessed=Count("id", filter=Q(inherent_level__isnull=True)),
            overdue=Count("id", filter=Q(next_review_on__lt=today)),
        )
    }
    palette = _user_palette(request.user)
    rows: list[dict] = []
    for inst in institutions.order_by("path"):
        c: dict[str, Any] = dict(counts.get(inst.pk, {}))
        rows.append(
            {
                "inst": inst,
                **{k: c.get(k, 0) for k in ("total", "l1", "l2", "l3", "l4", "unassessed", "overdue")},
            }
        )
    totals = {
        k: sum(int(r[k]) for r in rows) for k in ("total", "l1", "l2", "l3", "l4", "unassessed", "overdue")
    }
    return render(request, "risks/overview.html", {"rows": rows, "totals": totals, "palette": palette})


@require_perm("risk.library")
def palette_edit(request: AuthedRequest) -> HttpResponse:
    form = PaletteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        preset = form.cleaned_data["preset"]
        if preset == "national":
            colours, names = dict(NATIONAL_PALETTE), dict(NATIONAL_NAMES)
        elif preset == "seed":
            colours, names = dict(SEED_PALETTE), dict(SEED_NAMES)
        else:
            colours = {lv: form.cleaned_data[f"colour_{lv}"] for lv in (1, 2, 3, 4)}
            names = {}
        try:
            services.set_palette(
                actor=request.user, bureau=form.cleaned_data["bureau"], colours=colours, names=names
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Palette saved."))
            return redirect("risks:palette")
    bureau = form.fields["bureau"].queryset.first()  # type: ignore[attr-defined]
    return render(request, "risks/palette.html", {"form": form, "palette": palette_for(bureau)})
