"""The gate's phone page: who is inside, check a visitor in, check out."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shuangfang.core.tenancy import can, get_for_user
from shuangfang.core.types import AuthedRequest
from shuangfang.relief import identity
from shuangfang.relief.forms import show_errors
from shuangfang.relief.views import chosen_station, relief_perm

from . import closed, gate
from .gate_models import ClosedPeriod, Visit


class ClosedForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)
    stop_visitors = forms.BooleanField(label=gettext_lazy("Visitors stopped"), required=False, initial=True)
    staff_health_check = forms.BooleanField(
        label=gettext_lazy("Staff health check at the gate each day"), required=False, initial=True
    )
    medical_first = forms.BooleanField(
        label=gettext_lazy("New entrants: medical check first"), required=False, initial=True
    )
    duty_24h = forms.BooleanField(label=gettext_lazy("24-hour duty"), required=False, initial=True)


class VisitForm(forms.Form):
    visitor = forms.CharField(label=gettext_lazy("Visitor"), max_length=60)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=120)
    visiting = forms.CharField(label=gettext_lazy("Whom they visit"), max_length=60, required=False)
    health_check = forms.CharField(
        label=gettext_lazy("Health check at the gate"), max_length=120, required=False
    )


@relief_perm("outreach.view")
def gate_page(request: AuthedRequest) -> HttpResponse:
    station, mine = chosen_station(request, "outreach.view")
    manage = can(request.user, "outreach.manage", station)
    form = VisitForm(request.POST or None)
    if request.method == "POST" and manage and form.is_valid():
        try:
            gate.check_in(actor=request.user, organization=station, data=form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return redirect(reverse("outreach:gate") + f"?org={station.uuid}")
    since = timezone.now() - dt.timedelta(days=1)
    visits = Visit.objects.filter(organization=station, arrived_at__gte=since) | Visit.objects.filter(
        organization=station, left_at__isnull=True
    )
    rows = [(v, identity.mask_phone(v.phone)) for v in visits.distinct()]
    period = closed.running(station)
    ctx = {
        "station": station,
        "stations": mine,
        "rows": rows,
        "form": form,
        "can_manage": manage,
        "period": period,
        "gaps": closed.period_gaps(period) if period else [],
        "checks": period.checks.filter(day=timezone.localdate()) if period else [],
        "rules": ClosedForm(),
    }
    return render(request, "outreach/gate.html", ctx, status=400 if form.errors else 200)


@relief_perm("outreach.manage")
@require_POST
def gate_out(request: AuthedRequest, uuid) -> HttpResponse:
    visit = get_for_user(Visit, request.user, "outreach.manage", uuid=uuid)
    try:
        gate.check_out(actor=request.user, visit=visit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("outreach:gate") + f"?org={visit.organization.uuid}")


def _back(station) -> HttpResponse:
    return redirect(reverse("outreach:gate") + f"?org={station.uuid}")


@relief_perm("outreach.manage")
@require_POST
def closed_start(request: AuthedRequest) -> HttpResponse:
    station, _mine = chosen_station(request, "outreach.manage")
    form = ClosedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write why the station closes."))
        return _back(station)
    data = dict(form.cleaned_data)
    try:
        closed.start(actor=request.user, station=station, reason=data.pop("reason"), rules=data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Closed management started."))
    return _back(station)


@relief_perm("outreach.manage")
@require_POST
def closed_end(request: AuthedRequest, uuid) -> HttpResponse:
    period = get_for_user(ClosedPeriod, request.user, "outreach.manage", uuid=uuid)
    try:
        closed.end(actor=request.user, period=period)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Closed management ended."))
    return _back(period.organization)


@relief_perm("outreach.manage")
@require_POST
def closed_check(request: AuthedRequest, uuid) -> HttpResponse:
    period = get_for_user(ClosedPeriod, request.user, "outreach.manage", uuid=uuid)
    try:
        closed.check_staff(
            actor=request.user,
            period=period,
            person=request.POST.get("person", ""),
            result=request.POST.get("result", ""),
            fit=request.POST.get("fit") != "no",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Health check recorded."))
    return _back(period.organization)
