"""The station's page of people on an at-risk register who turned up at the station."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from shuangfang.core.tenancy import can, get_for_user
from shuangfang.core.types import AuthedRequest
from shuangfang.relief import identity
from shuangfang.relief.views import chosen_station, relief_perm

from . import register_match
from .register_models import RegisterMatch


@relief_perm("outreach.view")
@require_http_methods(["GET", "POST"])
def match_list(request: AuthedRequest) -> HttpResponse:
    station, mine = chosen_station(request, "outreach.view")
    matches = list(register_match.for_station(station)[:100])
    shown = None
    if request.method == "POST" and can(request.user, "relief.show_identity", station):
        wanted = get_for_user(RegisterMatch, request.user, "outreach.view", uuid=request.POST.get("match"))
        shown = (wanted.uuid, register_match.reveal_phone(actor=request.user, match=wanted))
    rows = []
    for m in matches:
        register_match.log_view(actor=request.user, match=m)
        phone = shown[1] if shown and shown[0] == m.uuid else identity.mask_phone(m.person.guardian_phone)
        rows.append((m, phone))
    ctx = {
        "station": station,
        "stations": mine,
        "rows": rows,
        "can_reveal": can(request.user, "relief.show_identity", station),
    }
    return render(request, "outreach/matches.html", ctx)
