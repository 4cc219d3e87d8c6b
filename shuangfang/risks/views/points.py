"""Risk points, their hazard factors, assessments and control measures, and the overdue reviews."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangfang.core import seedtext
from shuangfang.core.forms import add_service_errors as _form_error
from shuangfang.core.listing import Column, ListPage
from shuangfang.core.qr import qr_png
from shuangfang.core.tenancy import can, get_for_user, has_perm_anywhere, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization, OrgKind
from shuangfang.risks import scoring, services
from shuangfang.risks.choices import LEVEL_GUIDANCE, RiskLevel, default_tier, palette_for
from shuangfang.risks.filters import PointFilter
from shuangfang.risks.forms import AssessForm, FactorForm, MeasureForm, PointEditForm, PointForm, ReviewForm
from shuangfang.risks.models import Assessment, AssessmentMethod, ControlMeasure, HazardFactor, RiskPoint

from .common import user_palette

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
        context={
            "can_edit": has_perm_anywhere(request.user, "risk.edit"),
            "palette": user_palette(request.user),
        },
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


def point_detail_qs() -> Any:
    measures = Prefetch("measures", queryset=ControlMeasure.objects.select_related("responsible"))
    assessments = Prefetch("assessments", queryset=Assessment.objects.select_related("method", "assessed_by"))
    factors: Any = HazardFactor.objects.all()
    factors = factors.prefetch_related(measures, assessments)
    points: Any = RiskPoint.objects.select_related("organization", "department", "post", "floor")
    return points.prefetch_related(Prefetch("factors", queryset=factors))


@require_perm("risk.view")
def point_detail(request: AuthedRequest, uuid) -> HttpResponse:
    point = get_for_user(point_detail_qs(), request.user, "risk.view", uuid=uuid)
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
            "label": seedtext.pick(b, "label"),
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
