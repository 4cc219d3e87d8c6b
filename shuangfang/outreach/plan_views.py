"""The station's patrol plans page: the daily patrol and extreme-weather night patrols (inspection
plans underneath), with the last two weeks of their tasks: done, open, missed."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shuangfang.core.tenancy import can
from shuangfang.core.types import AuthedRequest
from shuangfang.core.widgets import IsoDateInput
from shuangfang.inspections.models import Task
from shuangfang.orgs.roles import Role
from shuangfang.relief.forms import show_errors
from shuangfang.relief.views import chosen_station, relief_perm

from . import patrol_plans
from .choices import Weather

ROLE_CHOICES = [(r, Role(r).label) for r in patrol_plans.PATROL_ROLES]


class DailyForm(forms.Form):
    time = forms.CharField(label=gettext_lazy("Starts at (HH:MM)"), initial="09:00", max_length=5)
    hours = forms.IntegerField(label=gettext_lazy("Window (hours)"), initial=4, min_value=1, max_value=24)
    role = forms.ChoiceField(label=gettext_lazy("Who patrols"), choices=ROLE_CHOICES, initial=Role.STAFF)


class WeatherForm(forms.Form):
    weather = forms.ChoiceField(label=gettext_lazy("Weather"), choices=Weather.choices)
    first_night = forms.DateField(label=gettext_lazy("First night"), widget=IsoDateInput())
    last_night = forms.DateField(label=gettext_lazy("Last night"), widget=IsoDateInput())
    time = forms.CharField(
        label=gettext_lazy("Starts at (HH:MM)"), initial=patrol_plans.NIGHT_START, max_length=5
    )
    hours = forms.IntegerField(
        label=gettext_lazy("Window (hours)"), initial=patrol_plans.NIGHT_HOURS, min_value=1, max_value=14
    )
    role = forms.ChoiceField(label=gettext_lazy("Who patrols"), choices=ROLE_CHOICES, initial=Role.STAFF)


def _page(request: AuthedRequest, station, daily=None, weather=None, status=200) -> HttpResponse:
    rows = list(patrol_plans.plans_of(station))
    since = timezone.now() - dt.timedelta(days=14)
    tasks = (
        Task.objects.filter(plan_id__in=[r.plan_id for r in rows], window_start__gte=since)
        .select_related("plan")
        .order_by("-window_start")[:60]
    )
    ctx = {
        "station": station,
        "rows": rows,
        "tasks": tasks,
        "can_plan": can(request.user, "inspection.manage", station),
        "daily": daily or DailyForm(),
        "weather": weather or WeatherForm(initial={"first_night": timezone.localdate()}),
    }
    return render(request, "outreach/plans.html", ctx, status=status)


@relief_perm("outreach.view")
def plan_list(request: AuthedRequest) -> HttpResponse:
    station, _mine = chosen_station(request, "outreach.view")
    return _page(request, station)


@relief_perm("outreach.view")
@require_POST
def plan_add(request: AuthedRequest) -> HttpResponse:
    station, _mine = chosen_station(request, "outreach.view")
    if not can(request.user, "inspection.manage", station):
        raise Http404  # as for every outreach page: no hint to those who may not plan
    which = request.POST.get("which")
    form: forms.Form = WeatherForm(request.POST) if which == "weather" else DailyForm(request.POST)
    if form.is_valid():
        try:
            if which == "weather":
                patrol_plans.declare_extreme_weather(actor=request.user, station=station, **form.cleaned_data)
            else:
                patrol_plans.create_daily_plan(actor=request.user, station=station, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Patrol plan saved: its tasks are generated like inspection tasks."))
            return redirect(reverse("outreach:plans") + f"?org={station.uuid}")
    if which == "weather":
        return _page(request, station, weather=form, status=400)
    return _page(request, station, daily=form, status=400)
