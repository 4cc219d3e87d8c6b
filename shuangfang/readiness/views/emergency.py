"""Emergency plan and supply pages: lists with export, create, a plan with its versions, stock moves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from shuangfang.core.forms import add_service_errors
from shuangfang.core.listing import Column, ListPage
from shuangfang.core.tenancy import can, get_for_user, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization
from shuangfang.readiness import emergency
from shuangfang.readiness.forms import PlanForm, SupplyForm
from shuangfang.readiness.models import EmergencyPlan, Supply

from .common import chosen_institution, error_text


@require_perm("readiness.view")
def plan_list(request: AuthedRequest) -> HttpResponse:
    qs = (
        EmergencyPlan.objects.for_user(request.user, "readiness.view")
        .filter(is_current=True)
        .select_related("organization", "owner")
    )
    _insts, chosen = chosen_institution(request, "readiness.manage")
    columns = [
        Column(
            _("Emergency plan"),
            lambda p: p.title,
            link=lambda p: reverse("readiness:plan", kwargs={"uuid": p.uuid}),
        ),
        Column(_("Kind of plan"), lambda p: p.get_kind_display()),
        Column(_("Topic"), lambda p: p.get_topic_display()),
        Column(_("Version"), lambda p: p.version),
        Column(_("Institution"), lambda p: p.organization.name),
        Column(_("Owner"), lambda p: str(p.owner)),
        Column(_("Next review on"), lambda p: p.review_on),
    ]
    return ListPage(
        request,
        qs,
        columns=columns,
        template="readiness/plans.html",
        export_name="emergency-plans",
        context={"manage_in": chosen},
    ).response()


@require_perm("readiness.manage")
def plan_create(request: AuthedRequest, uuid) -> HttpResponse:
    institution = get_for_user(
        Organization.objects.institutions(), request.user, "readiness.manage", uuid=uuid
    )
    form = PlanForm(request.POST or None, institution=institution, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        points = list(data.pop("risk_points"))
        try:
            plan = emergency.create_plan(
                actor=request.user, institution=institution, risk_points=points, **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("readiness:plan", uuid=plan.uuid)
    title = _("New emergency plan at %(inst)s") % {"inst": institution.name}
    return render(
        request, "readiness/form.html", {"form": form, "title": title, "back": reverse("readiness:plans")}
    )


@require_perm("readiness.view")
def plan_detail(request: AuthedRequest, uuid) -> HttpResponse:
    plan = get_for_user(
        EmergencyPlan.objects.select_related("organization", "owner"),
        request.user,
        "readiness.view",
        uuid=uuid,
    )
    manage = plan.is_current and can(request.user, "readiness.manage", plan.organization)
    form = None
    if manage:
        initial = {f: getattr(plan, f) for f in emergency.PLAN_FIELDS} | {
            "risk_points": plan.risk_points.all()
        }
        form = PlanForm(request.POST or None, institution=plan.organization, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            points = list(data.pop("risk_points"))
            try:
                new = emergency.revise_plan(actor=request.user, plan=plan, risk_points=points, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved as version %(n)s.") % {"n": new.version})
                return redirect("readiness:plan", uuid=new.uuid)
    versions = EmergencyPlan.objects.filter(organization=plan.organization, title=plan.title).order_by(
        "-version"
    )
    ctx = {
        "p": plan,
        "tree": [
            [c.strip() for c in line.split("|")] for line in plan.phone_tree.splitlines() if line.strip()
        ],
        "points": plan.risk_points.all(),
        "versions": versions,
        "form": form,
        "review_due": plan.review_on <= timezone.localdate(),
    }
    return render(request, "readiness/plan.html", ctx)


@require_perm("readiness.view")
def supply_list(request: AuthedRequest) -> HttpResponse:
    qs = Supply.objects.for_user(request.user, "readiness.view").select_related("organization")
    _insts, chosen = chosen_institution(request, "readiness.manage")
    today = timezone.localdate()
    columns = [
        Column(pgettext("supplies", "Item"), lambda s: s.name),
        Column(_("Kind"), lambda s: s.get_kind_display()),
        Column(_("Place"), lambda s: s.place),
        Column(_("Institution"), lambda s: s.organization.name),
        Column(_("In stock"), lambda s: s.quantity),
        Column(_("Minimum level"), lambda s: s.minimum),
        Column(_("Unit"), lambda s: s.unit),
        Column(_("Expires on"), lambda s: s.expires_on),
        Column(_("Attention"), lambda s: _attention(s, today)),
    ]
    ctx: dict[str, Any] = {"manage_in": chosen, "form": SupplyForm() if chosen else None}
    if chosen is not None:
        ctx["managed"] = Supply.objects.filter(organization=chosen)
    return ListPage(
        request,
        qs,
        columns=columns,
        template="readiness/supplies.html",
        export_name="emergency-supplies",
        context=ctx,
    ).response()


def _attention(supply: Supply, today) -> str:
    notes = []
    if supply.quantity < supply.minimum:
        notes.append(_("below minimum"))
    if supply.expires_on and supply.expires_on <= today:
        notes.append(_("expired"))
    return "、".join(notes)


@require_perm("readiness.manage")
@require_POST
def supply_create(request: AuthedRequest, uuid) -> HttpResponse:
    institution = get_for_user(
        Organization.objects.institutions(), request.user, "readiness.manage", uuid=uuid
    )
    form = SupplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        try:
            emergency.create_supply(actor=request.user, institution=institution, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Saved."))
    return redirect(f"{reverse('readiness:supplies')}?org={institution.uuid}")


@require_perm("readiness.manage")
@require_POST
def supply_move(request: AuthedRequest, uuid) -> HttpResponse:
    supply = get_for_user(Supply, request.user, "readiness.manage", uuid=uuid)
    raw = request.POST.get("quantity", "")
    reason = request.POST.get("reason", "")[:200]
    if not raw.isdigit() or int(raw) == 0:
        messages.error(request, _("Give a quantity other than zero."))
    else:
        change = int(raw) if request.POST.get("action") == "restock" else -int(raw)
        try:
            emergency.move_stock(actor=request.user, supply=supply, change=change, reason=reason)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Saved."))
    return redirect(f"{reverse('readiness:supplies')}?org={supply.organization.uuid}")
