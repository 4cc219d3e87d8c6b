"""Patrol routes (巡更) on the phone: the routes, one route's round under way stop by stop, and the
order of a route's stops (``inspections.patrol``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core.tenancy import can, get_for_user, require_perm
from shuangfang.core.types import AuthedRequest

from . import patrol
from .models import Plan

ROUTES_SHOWN = 50


@require_perm("inspection.do")
def routes(request: AuthedRequest) -> HttpResponse:
    plans = list(
        Plan.objects.for_user(request.user, "inspection.do")
        .filter(stops__isnull=False, is_active=True)
        .distinct()
        .select_related("organization")
        .order_by("organization__name", "name")[:ROUTES_SHOWN]
    )
    now = timezone.now()
    rows = [(plan, patrol.current_round(plan, now)) for plan in plans]
    return render(request, "inspections/routes.html", {"rows": rows})


@require_perm("inspection.do")
def route(request: AuthedRequest, uuid) -> HttpResponse:
    plan = get_for_user(Plan.objects.select_related("organization"), request.user, "inspection.do", uuid=uuid)
    stops = list(plan.stops.select_related("checkpoint"))
    return render(
        request,
        "inspections/route.html",
        {
            "plan": plan,
            "stops": stops,
            "round": patrol.current_round(plan) if stops else None,
            "can_manage": can(request.user, "inspection.manage", plan.organization),
        },
    )


@require_perm("inspection.manage")
def route_edit(request: AuthedRequest, uuid) -> HttpResponse:
    plan = get_for_user(Plan, request.user, "inspection.manage", uuid=uuid)
    current = {s.checkpoint_id: s.position for s in plan.stops.all()}
    # The route's stops in their order first, then the plan's other checkpoints.
    checkpoints = sorted(
        plan.checkpoints.order_by("building", "floor", "name"), key=lambda cp: current.get(cp.pk, 10_000)
    )
    errors: list[str] = []
    entered = {cp.pk: str(current.get(cp.pk, "")) for cp in checkpoints}
    if request.method == "POST":
        entered = {cp.pk: request.POST.get(f"pos-{cp.uuid}", "").strip() for cp in checkpoints}
        chosen = []
        for cp in checkpoints:
            raw = entered[cp.pk]
            if not raw:
                continue
            if not raw.isdigit() or not 0 < int(raw) <= 999:
                errors.append(_("%(place)s: the order is a whole number from 1.") % {"place": cp})
                continue
            chosen.append((int(raw), cp))
        if len({n for n, _cp in chosen}) != len(chosen):
            errors.append(_("Two checkpoints have the same number: give each its own place on the route."))
        if not errors:
            try:
                patrol.set_route(actor=request.user, plan=plan, checkpoints=[cp for _n, cp in sorted(chosen)])
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, _("Route saved."))
                return redirect("inspections:route", uuid=plan.uuid)
    return render(
        request,
        "inspections/route_edit.html",
        {"plan": plan, "rows": [(cp, entered[cp.pk]) for cp in checkpoints], "errors": errors},
    )
