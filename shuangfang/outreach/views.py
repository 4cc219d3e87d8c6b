"""Street outreach pages, built for a phone. Everyone without the page's permission at a relief
station gets 404 (``relief_perm``, shared with relief casework)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from shuangfang.core.tenancy import can, get_for_user
from shuangfang.core.types import AuthedRequest
from shuangfang.relief.choices import Sex
from shuangfang.relief.forms import show_errors
from shuangfang.relief.views import chosen_station, relief_perm

from . import patrols
from .choices import Action, Need
from .models import Encounter, Patrol


class StartForm(forms.Form):
    team = forms.CharField(label=gettext_lazy("Team"), max_length=120)
    vehicle = forms.CharField(label=gettext_lazy("Vehicle"), max_length=40, required=False)


class EncounterForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("What the patrol did"), choices=Action.choices, widget=forms.RadioSelect
    )
    need = forms.ChoiceField(label=gettext_lazy("Need"), choices=Need.choices, initial=Need.NONE)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=120, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description of the person (optional)"), max_length=200, required=False
    )
    supplies = forms.CharField(label=gettext_lazy("Supplies handed out"), max_length=200, required=False)
    photo = forms.FileField(label=gettext_lazy("Photo (optional)"), required=False)
    consent = forms.BooleanField(label=gettext_lazy("The person agreed to the photo"), required=False)
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)


class AdmitForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("relief", "Name"), max_length=60, initial="无名氏")
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    age_estimate = forms.IntegerField(label=gettext_lazy("Estimated age"), min_value=0, required=False)


@relief_perm("outreach.view")
def index(request: AuthedRequest) -> HttpResponse:
    station, mine = chosen_station(request, "outreach.view")
    qs = Patrol.objects.filter(organization=station).select_related("started_by")
    ctx = {
        "station": station,
        "stations": mine,
        "open": qs.filter(ended_at__isnull=True),
        "recent": qs.filter(ended_at__isnull=False)[:20],
        "can_manage": can(request.user, "outreach.manage", station),
        "form": StartForm(),
    }
    return render(request, "outreach/index.html", ctx)


@relief_perm("outreach.manage")
@require_POST
def start(request: AuthedRequest) -> HttpResponse:
    station, _mine = chosen_station(request, "outreach.manage")
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            patrol = patrols.start_patrol(actor=request.user, organization=station, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return redirect("outreach:patrol", uuid=patrol.uuid)
    for error in form.errors.values():
        messages.error(request, " ".join(str(e) for e in error))
    return redirect(f"{_index_url()}?org={station.uuid}")


def _index_url() -> str:
    from django.urls import reverse

    return reverse("outreach:index")


@relief_perm("outreach.view")
def patrol_detail(request: AuthedRequest, uuid) -> HttpResponse:
    patrol = get_for_user(Patrol, request.user, "outreach.view", uuid=uuid)
    manage = can(request.user, "outreach.manage", patrol.organization)
    form = EncounterForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not manage:
            return HttpResponse(status=403)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                patrols.log_encounter(
                    actor=request.user,
                    patrol=patrol,
                    data=data,
                    photo=data.pop("photo", None),
                    consent=data.pop("consent", False),
                )
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, _("Encounter saved."))
                return redirect("outreach:patrol", uuid=patrol.uuid)
    patrols.log_view(actor=request.user, patrol=patrol)
    status = 400 if request.method == "POST" else 200
    route = list(patrol.route.all())
    ctx = {
        "patrol": patrol,
        "encounters": patrol.encounters.select_related("logged_by"),
        "form": form,
        "can_manage": manage,
        "now": timezone.now(),
        "route": route,
        "outline": patrols.route_outline(route),
        "task": patrol.task,
    }
    return render(request, "outreach/patrol.html", ctx, status=status)


@relief_perm("outreach.manage")
@require_POST
def patrol_end(request: AuthedRequest, uuid) -> HttpResponse:
    patrol = get_for_user(Patrol, request.user, "outreach.manage", uuid=uuid)
    try:
        patrols.end_patrol(actor=request.user, patrol=patrol)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Patrol ended."))
    return redirect("outreach:patrol", uuid=patrol.uuid)


@relief_perm("outreach.manage")
def encounter_admit(request: AuthedRequest, uuid) -> HttpResponse:
    """Register at the station someone the patrol persuaded to come in (relief's registration)."""
    encounter = get_for_user(Encounter, request.user, "outreach.manage", uuid=uuid)
    if not can(request.user, "relief.manage", encounter.organization):
        return HttpResponse(status=403)
    form = AdmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = patrols.open_case(actor=request.user, encounter=encounter, person_fields=form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Relief case %(n)s opened.") % {"n": case.number})
            return redirect("relief:case", uuid=case.uuid)
    ctx = {"encounter": encounter, "form": form, "prefill": patrols.prefill(encounter)}
    return render(request, "outreach/admit.html", ctx, status=400 if form.errors else 200)


@relief_perm("outreach.manage")
@require_POST
def patrol_route(request: AuthedRequest, uuid) -> HttpResponse:
    """A point of the route: the phone's position (sent by ``track.js`` while the page is open,
    answered 204 / 400 with the reason) or a place typed when the phone gives none (a plain form:
    back to the patrol page)."""
    patrol = get_for_user(Patrol, request.user, "outreach.manage", uuid=uuid)
    typed = "where" in request.POST  # the typed-place form (the encounter form has its own "place")
    try:
        patrols.add_route_point(
            actor=request.user,
            patrol=patrol,
            latitude=request.POST.get("latitude"),
            longitude=request.POST.get("longitude"),
            accuracy=request.POST.get("accuracy"),
            place=request.POST.get("where", ""),
        )
    except ValidationError as exc:
        if not typed:
            return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
        messages.error(request, " ".join(exc.messages))
    else:
        if not typed:
            return HttpResponse(status=204)
        messages.success(request, _("Place added to the route."))
    return redirect("outreach:patrol", uuid=patrol.uuid)
