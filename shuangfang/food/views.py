"""The kitchen's pages: the overview, the officer's kitchen page, the cook's phone page, meals,
samples, disinfection and the photos. Set-up pages are in ``setup_views``, ledgers in ``ledgers``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core.forms import add_service_errors
from shuangfang.core.photos import serve_file
from shuangfang.core.tenancy import can, get_for_user, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization

from . import meals, rules, stats
from .choices import NOON, RuleKey, SampleStatus
from .forms import CoreTempForm, DisinfectionForm, DisposeForm, MealForm, MenuForm, SampleForm, now_local
from .models import (
    Dish,
    Fridge,
    HealthCertificate,
    Kitchen,
    Meal,
    Purchase,
    Sample,
    SupplierLicence,
    TemperatureLog,
)


def kitchen_for(request: AuthedRequest, uuid, perm: str = "food.view") -> Kitchen:
    return get_for_user(Kitchen.objects.select_related("organization"), request.user, perm, uuid=uuid)


def render_form(request, template: str, ctx: dict) -> HttpResponse:
    """A form page; 400 when a posted form was refused (the reason is on the page)."""
    form = ctx.get("form")
    failed = request.method == "POST" and form is not None and bool(form.errors)
    return render(request, template, ctx, status=400 if failed else 200)


@require_perm("food.view")
def home(request: AuthedRequest) -> HttpResponse:
    """Every kitchen the user can see (one: straight to it), with the month's figures; the
    institutions without a kitchen where the user may set one up."""
    kitchens = list(Kitchen.objects.for_user(request.user, "food.view").select_related("organization"))
    if len(kitchens) == 1 and not request.GET.get("all"):
        return redirect("food:kitchen", uuid=kitchens[0].uuid)
    today = timezone.localdate()
    rows = [(k, stats.figures(k, today)) for k in kitchens]
    have = {k.organization_id for k in kitchens}
    can_set_up = [
        i
        for i in Organization.objects.for_user(request.user, "food.manage").institutions().order_by("name")
        if i.pk not in have
    ]
    return render(request, "food/home.html", {"rows": rows, "can_set_up": can_set_up})


@require_perm("food.view")
def kitchen(request: AuthedRequest, uuid) -> HttpResponse:
    """The officer's page: today, the month's figures, what needs attention."""
    k = kitchen_for(request, uuid)
    today = timezone.localdate()
    return render(
        request,
        "food/kitchen.html",
        {
            "k": k,
            "f": stats.figures(k, today),
            "attention": stats.attention(k, today),
            "today_meals": meals.ensure_meals(k, today) if k.meal_ends() else [],
            "can_record": can(request.user, "food.record", k.organization),
            "can_manage": can(request.user, "food.manage", k.organization),
        },
    )


def fridge_slots(k: Kitchen, day: dt.date) -> list[dict[str, Any]]:
    """The refrigerators without a sensor (entered by hand twice a day) with ``day``'s morning
    and afternoon reading, the latest of each; two queries."""
    fridges = list(Fridge.objects.filter(kitchen=k, is_active=True, device__isnull=True))
    slots: dict[tuple[int, bool], TemperatureLog] = {}
    for log in TemperatureLog.objects.filter(fridge__in=fridges, measured_at__date=day).order_by(
        "measured_at"
    ):
        slots[(log.fridge_id, timezone.localtime(log.measured_at).hour >= NOON)] = log
    return [{"fridge": f, "am": slots.get((f.pk, False)), "pm": slots.get((f.pk, True))} for f in fridges]


@require_perm("food.view")
def today(request: AuthedRequest, uuid) -> HttpResponse:
    """The cook's phone page: today's meals → samples still to take → samples due for disposal."""
    k = kitchen_for(request, uuid)
    now = timezone.now()
    day = timezone.localdate()
    keep = rules.value(k.organization, RuleKey.SAMPLE_KEEP_HOURS)
    todays = meals.ensure_meals(k, day)
    extra = Meal.objects.filter(kitchen=k, day=day).exclude(pk__in=[m.pk for m in todays])
    meal_rows = []
    for meal in sorted([*todays, *extra], key=lambda m: m.ends_at):
        dishes = list(meal.dishes.prefetch_related("samples"))
        todo = [d for d in dishes if not d.samples.all()]
        meal_rows.append({"meal": meal, "dishes": dishes, "todo": todo, "late": meal.ends_at < now})
    kept = Sample.objects.filter(meal__kitchen=k, status=SampleStatus.KEPT).select_related(
        "dish", "meal", "fridge"
    )
    due: list[Sample] = []
    waiting: list[Sample] = []
    for s in kept.order_by("taken_at"):
        s.due = meals.due_at(s, keep)
        (due if s.due <= now else waiting).append(s)
    return render(
        request,
        "food/today.html",
        {
            "k": k,
            "meal_rows": meal_rows,
            "due": due,
            "waiting": waiting,
            "keep": keep,
            "fridge_rows": fridge_slots(k, day),
            "afternoon": timezone.localtime(now).hour >= NOON,
            "can_record": can(request.user, "food.record", k.organization),
        },
    )


@require_perm("food.record")
def meal_create(request: AuthedRequest, uuid) -> HttpResponse:
    k = kitchen_for(request, uuid, "food.record")
    form = MealForm(
        request.POST or None, initial={"day": timezone.localdate(), "ends_at": now_local().time()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ends_at = dt.datetime.combine(data["day"], data["ends_at"], tzinfo=timezone.get_current_timezone())
        try:
            meal = meals.add_meal(
                actor=request.user,
                kitchen=k,
                day=data["day"],
                kind=data["kind"],
                ends_at=ends_at,
                diners=data["diners"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("food:meal_detail", uuid=meal.uuid)
    return render_form(request, "food/form.html", {"form": form, "title": _("Add a meal"), "k": k})


@require_perm("food.view")
def meal_detail(request: AuthedRequest, uuid) -> HttpResponse:
    meal = get_for_user(
        Meal.objects.select_related("kitchen", "organization"), request.user, "food.view", uuid=uuid
    )
    can_record = can(request.user, "food.record", meal.organization)
    form = MenuForm(request.POST or None, initial={"diners": meal.diners})
    if request.method == "POST":
        if not can_record:
            raise Http404
        if form.is_valid():
            try:
                meals.set_menu(
                    actor=request.user,
                    meal=meal,
                    dishes=form.dishes_list(),
                    diners=form.cleaned_data["diners"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                if request.POST.get("next") == "today":
                    return redirect("food:today", uuid=meal.kitchen.uuid)
                return redirect("food:meal_detail", uuid=meal.uuid)
    dishes = meal.dishes.prefetch_related(
        "samples", "samples__taken_by", "samples__disposed_by"
    ).select_related("core_temp_by")
    min_core = rules.value(meal.organization, RuleKey.CORE_TEMP_MIN)
    return render_form(
        request,
        "food/meal.html",
        {
            "meal": meal,
            "k": meal.kitchen,
            "dishes": dishes,
            "form": form,
            "min_core": min_core,
            "disinfections": meal.disinfections.select_related("done_by"),
            "can_record": can_record,
        },
    )


@require_perm("food.record")
def sample_create(request: AuthedRequest, uuid) -> HttpResponse:
    dish = get_for_user(
        Dish.objects.select_related("meal", "meal__kitchen"), request.user, "food.record", uuid=uuid
    )
    k = dish.meal.kitchen
    minimum = rules.rules_for(dish.organization)[RuleKey.SAMPLE_MIN_WEIGHT]
    form = SampleForm(
        request.POST or None,
        request.FILES or None,
        kitchen=k,
        initial={"taken_at": now_local(), "weight_g": minimum.value},
    )
    if request.method == "POST" and form.is_valid():
        try:
            sample = meals.record_sample(
                actor=request.user,
                dish=dish,
                photo=request.FILES.get("photo"),
                **{f: form.cleaned_data[f] for f in ("weight_g", "taken_at", "fridge", "label")},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if sample.flagged_weight_at:
                messages.warning(
                    request, _("Under the rule's weight: a hazard was opened and the officer told.")
                )
            else:
                messages.success(request, _("Sample of %(dish)s kept.") % {"dish": dish.name})
            return redirect("food:today", uuid=k.uuid)
    title = _("Sample of %(dish)s · %(meal)s") % {"dish": dish.name, "meal": str(dish.meal)}
    return render_form(
        request,
        "food/form.html",
        {"form": form, "title": title, "k": k, "rule": minimum, "multipart": True, "back": "today"},
    )


@require_perm("food.record")
def sample_dispose(request: AuthedRequest, uuid) -> HttpResponse:
    sample = get_for_user(
        Sample.objects.select_related("dish", "meal", "meal__kitchen"), request.user, "food.record", uuid=uuid
    )
    k = sample.meal.kitchen
    form = DisposeForm(request.POST or None, initial={"disposed_at": now_local()})
    if request.method == "POST" and form.is_valid():
        try:
            meals.dispose_sample(
                actor=request.user, sample=sample, disposed_at=form.cleaned_data["disposed_at"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if sample.flagged_early_at:
                messages.warning(request, _("Disposed of before the rule's hours: a hazard was opened."))
            else:
                messages.success(request, _("Disposal recorded."))
            return redirect("food:today", uuid=k.uuid)
    title = _("Dispose of the sample of %(dish)s") % {"dish": sample.dish.name}
    return render_form(
        request, "food/form.html", {"form": form, "title": title, "k": k, "back": "today", "sample": sample}
    )


@require_perm("food.record")
def core_temp(request: AuthedRequest, uuid) -> HttpResponse:
    dish = get_for_user(
        Dish.objects.select_related("meal", "meal__kitchen"), request.user, "food.record", uuid=uuid
    )
    form = CoreTempForm(request.POST or None)
    rule = rules.rules_for(dish.organization)[RuleKey.CORE_TEMP_MIN]
    if request.method == "POST" and form.is_valid():
        measured = form.cleaned_data["temperature_c"]
        try:
            meals.record_core_temp(actor=request.user, dish=dish, temperature_c=measured)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if measured < rule.value:
                messages.warning(
                    request,
                    _("Under %(min)s °C: keep cooking %(dish)s, then measure again.")
                    % {"min": floatformat(rule.value, "-1"), "dish": dish.name},
                )
            else:
                messages.success(request, _("Core temperature of %(dish)s recorded.") % {"dish": dish.name})
            return redirect("food:meal_detail", uuid=dish.meal.uuid)
    title = _("Core temperature of %(dish)s") % {"dish": dish.name}
    return render_form(
        request, "food/form.html", {"form": form, "title": title, "k": dish.meal.kitchen, "rule": rule}
    )


@require_perm("food.record")
def disinfection_create(request: AuthedRequest, uuid) -> HttpResponse:
    meal = get_for_user(Meal.objects.select_related("kitchen"), request.user, "food.record", uuid=uuid)
    form = DisinfectionForm(request.POST or None, initial={"done_at": now_local(), "minutes": 15})
    if request.method == "POST" and form.is_valid():
        try:
            meals.record_disinfection(actor=request.user, meal=meal, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Disinfection recorded."))
            return redirect("food:meal_detail", uuid=meal.uuid)
    title = _("Tableware disinfection · %(meal)s") % {"meal": str(meal)}
    return render_form(request, "food/form.html", {"form": form, "title": title, "k": meal.kitchen})


PHOTO_MODELS: dict[str, Any] = {
    "sample": Sample,
    "ticket": Purchase,
    "licence": SupplierLicence,
    "certificate": HealthCertificate,
}


@require_perm("food.view")
def photo(request: AuthedRequest, kind: str, uuid) -> HttpResponseBase:
    model = PHOTO_MODELS.get(kind)
    if model is None:
        raise Http404
    obj = get_for_user(model, request.user, "food.view", uuid=uuid)
    return serve_file(obj.display or obj.original)
