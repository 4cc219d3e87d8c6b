"""Pages of escorted return trips; the check-in page is made for the escort's phone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangfang.core.photos import save_photo, serve_file
from shuangfang.core.tenancy import can, get_for_user
from shuangfang.core.types import AuthedRequest

from . import trips
from .forms import TRIP_FORMS, CheckInForm, TripForm, show_errors
from .models import Trip
from .views import chosen_station, relief_perm


@relief_perm("relief.view")
def trip_list(request: AuthedRequest) -> HttpResponse:
    station, mine = chosen_station(request)
    rows = Trip.objects.filter(organization=station).prefetch_related("cases__person")[:50]
    ctx = {
        "station": station,
        "stations": mine,
        "trips": rows,
        "can_manage": can(request.user, "relief.manage", station),
    }
    return render(request, "relief/trips.html", ctx)


@relief_perm("relief.manage")
def trip_new(request: AuthedRequest) -> HttpResponse:
    station, _mine = chosen_station(request, "relief.manage")
    form = TripForm(request.POST or None, station=station)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            trip = trips.prepare(
                actor=request.user,
                organization=station,
                case_list=list(data.pop("cases")),
                staff=list(data.pop("staff")),
                **data,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request, _("Trip %(n)s prepared: the head approves it next.") % {"n": trip.number}
            )
            return redirect("relief:trip", uuid=trip.uuid)
    status = 400 if form.errors else 200
    return render(request, "relief/trip_new.html", {"form": form, "station": station}, status=status)


def _trip(request: AuthedRequest, uuid, perm: str) -> Trip:
    return get_for_user(Trip.objects.select_related("organization"), request.user, perm, uuid=uuid)


def _page(request: AuthedRequest, trip: Trip, *, forms=None, status=200) -> HttpResponse:
    forms = forms or {}
    actions = [t.action for t in trips.FLOW.actions_for(trip, request.user)]
    ctx = {
        "trip": trip,
        "persons": trip.cases.select_related("person"),
        "staff": trip.staff.all(),
        "checkins": trip.checkins.select_related("by"),
        "forms": {a: forms.get(a) or TRIP_FORMS[a](prefix=a) for a in actions},
        "checkin_form": forms.get("checkin") or CheckInForm(prefix="ci"),
        "is_escort": trips.is_escort(trip, request.user),
        "missing": trips.preparation_missing(trip) if trip.status == "preparing" else [],
    }
    return render(request, "relief/trip.html", ctx, status=status)


@relief_perm("relief.view")
def trip_detail(request: AuthedRequest, uuid) -> HttpResponse:
    return _page(request, _trip(request, uuid, "relief.view"))


@relief_perm("relief.view")
@require_POST
def trip_move(request: AuthedRequest, uuid) -> HttpResponse:
    """Each move names its own right in the table (the head approves, an escort sets off)."""
    trip = _trip(request, uuid, "relief.view")
    action = request.POST.get("action", "")
    if action not in TRIP_FORMS:
        raise Http404
    form = TRIP_FORMS[action](request.POST, request.FILES, prefix=action)
    if form.is_valid():
        context = dict(form.cleaned_data)
        try:
            trips.FLOW.check(trip, action, request.user, **{**context, "receipt_photo": "pending"})
            receipt = context.pop("receipt", None)
            if receipt is not None:
                context["receipt_photo"] = save_photo(receipt, folder="relief-trips").display
            trips.move(trip, action, actor=request.user, **context)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("relief:trip", uuid=trip.uuid)
    return _page(request, trip, forms={action: form}, status=400)


@relief_perm("relief.manage")
@require_POST
def trip_checkin(request: AuthedRequest, uuid) -> HttpResponse:
    trip = _trip(request, uuid, "relief.manage")
    form = CheckInForm(request.POST, prefix="ci")
    if form.is_valid():
        try:
            trips.check_in(actor=request.user, trip=trip, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Checked in."))
            return redirect("relief:trip", uuid=trip.uuid)
    return _page(request, trip, forms={"checkin": form}, status=400)


@relief_perm("relief.view")
def trip_receipt(request: AuthedRequest, uuid) -> FileResponse:
    return serve_file(_trip(request, uuid, "relief.view").receipt_photo)
