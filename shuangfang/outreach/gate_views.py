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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shuangfang.core.tenancy import can, get_for_user
from shuangfang.core.types import AuthedRequest
from shuangfang.relief import identity
from shuangfang.relief.forms import show_errors
from shuangfang.relief.views import chosen_station, relief_perm

from . import gate
from .gate_models import Visit


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
    ctx = {"station": station, "stations": mine, "rows": rows, "form": form, "can_manage": manage}
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
