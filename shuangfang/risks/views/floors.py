"""The four-colour risk map: floors, their plans, placing risk points, the PDF."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangfang.core.forms import add_service_errors as _form_error
from shuangfang.core.pdf import pdf_response, render_pdf
from shuangfang.core.photos import serve_file
from shuangfang.core.tenancy import can, get_for_user, has_perm_anywhere, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.risks import maps, services
from shuangfang.risks.forms import FloorForm, PlanForm
from shuangfang.risks.models import Floor, RiskPoint


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
