"""Meals and their dishes, the retained samples (留样) with their disposal, the core-temperature
check of high-risk dishes, tableware disinfection and refrigerator temperatures written by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.tenancy import require
from shuangfang.core.uploads import check_image
from shuangfang.core.workflow import Transition, Workflow

from . import rules
from .choices import FridgeKind, RuleKey, SampleStatus
from .models import Dish, Disinfection, Fridge, Kitchen, Meal, Sample, TemperatureLog
from .services import check_number, check_past, check_texts, store_photo

MAX_SAMPLE_G = Decimal(2000)  # above this it is a typo (grams for kilograms), not a sample


def meal_end(kitchen: Kitchen, day: dt.date, kind: str) -> dt.datetime:
    """The end of a usual meal's window (the kitchen serves ``kind``)."""
    end = kitchen.meal_ends()[kind]
    return dt.datetime.combine(day, end, tzinfo=timezone.get_current_timezone())


def ensure_meals(kitchen: Kitchen, day: dt.date) -> list[Meal]:
    """The kitchen's usual meals of ``day`` (system: the sweep and the cook's page make them, so a
    meal nobody recorded still shows, and is missed, when its window ends). Idempotent."""
    have = {m.kind: m for m in Meal.objects.filter(kitchen=kitchen, day=day)}
    for kind in kitchen.meal_ends():
        if kind in have:
            continue
        try:
            with transaction.atomic():
                have[kind] = Meal.objects.create(
                    organization=kitchen.organization,
                    kitchen=kitchen,
                    day=day,
                    kind=kind,
                    ends_at=meal_end(kitchen, day, kind),
                )
        except IntegrityError:  # made meanwhile by another request
            have[kind] = Meal.objects.get(kitchen=kitchen, day=day, kind=kind)
    return sorted(have.values(), key=lambda m: m.ends_at)


def add_meal(
    *, actor, kitchen: Kitchen, day: dt.date, kind: str, ends_at: dt.datetime, diners: int | None = None
) -> Meal:
    """An extra meal (or a usual one made early by hand)."""
    require(actor, "food.record", kitchen.organization)
    check_past(_("The meal's date"), day - dt.timedelta(days=1))  # today or tomorrow at most
    check_number(_("Diners"), Decimal(diners or 0), Decimal(0), Decimal(10000))
    with transaction.atomic():
        if Meal.objects.filter(kitchen=kitchen, day=day, kind=kind).exists():
            raise ValidationError(_("This meal is already recorded for that day."))
        meal = Meal.objects.create(
            organization=kitchen.organization,
            kitchen=kitchen,
            day=day,
            kind=kind,
            ends_at=ends_at,
            diners=diners,
        )
        audit.record(
            actor=actor,
            action="food.meal_add",
            obj=meal,
            organization=kitchen.organization,
            after={"day": day.isoformat(), "kind": kind, "ends_at": ends_at.isoformat()},
        )
    return meal


def set_menu(*, actor, meal: Meal, dishes: Sequence[tuple[str, bool]], diners: int | None = None) -> Meal:
    """Add the dishes served (name, high risk); dishes already there stay (they may have samples)."""
    require(actor, "food.record", meal.organization)
    check_number(_("Diners"), Decimal(diners or 0), Decimal(0), Decimal(10000))
    names = [(n.strip(), hr) for n, hr in dishes if n.strip()]
    if not names and diners is None:
        raise ValidationError(_("Name at least one dish."))
    for n, _hr in names:
        check_texts(Dish, name=n)
    with transaction.atomic():
        have = set(Dish.objects.filter(meal=meal).values_list("name", flat=True))
        new = [n for n in dict(names) if n not in have]
        Dish.objects.bulk_create(
            [Dish(organization=meal.organization, meal=meal, name=n, high_risk=dict(names)[n]) for n in new]
        )
        if diners is not None:
            Meal.objects.filter(pk=meal.pk).update(diners=diners)
            meal.diners = diners
        audit.record(
            actor=actor,
            action="food.menu",
            obj=meal,
            organization=meal.organization,
            after={"dishes": new, "diners": diners},
        )
    return meal


def record_core_temp(*, actor, dish: Dish, temperature_c: Decimal) -> Dish:
    require(actor, "food.record", dish.organization)
    check_number(_("Core temperature (°C)"), temperature_c, Decimal(-20), Decimal(150))
    with transaction.atomic():
        now = timezone.now()
        Dish.objects.filter(pk=dish.pk).update(
            core_temp_c=temperature_c, core_temp_by=actor, core_temp_at=now
        )
        dish.core_temp_c, dish.core_temp_by, dish.core_temp_at = temperature_c, actor, now
        audit.record(
            actor=actor,
            action="food.core_temp",
            obj=dish,
            organization=dish.organization,
            after={"dish": dish.name, "temperature_c": str(temperature_c)},
        )
    return dish


# --- samples -------------------------------------------------------------------------------------


def record_sample(
    *,
    actor,
    dish: Dish,
    weight_g: Decimal,
    taken_at: dt.datetime,
    fridge: Fridge | None = None,
    label: str = "",
    photo=None,
) -> Sample:
    """Keep a sample of one dish. Under the rule's weight it is kept (it is what there is) and a
    hazard is opened at once (``sweeps.check_sample``)."""
    from .sweeps import check_sample

    require(actor, "food.record", dish.organization)
    check_number(_("Weight (g)"), weight_g, Decimal("0.1"), MAX_SAMPLE_G)
    check_past(_("The time the sample was put in"), taken_at)
    check_texts(Sample, label=label)
    meal = dish.meal
    if taken_at.date() < meal.day - dt.timedelta(days=1):
        raise ValidationError(_("The sample was put in before the meal's day."))
    if fridge is not None and (fridge.kitchen_id != meal.kitchen_id or not fridge.is_active):
        raise ValidationError(_("Choose a refrigerator of this kitchen."))
    if photo is not None:
        check_image(photo)
    with transaction.atomic():
        if Sample.objects.select_for_update().filter(dish=dish).exists():
            raise ValidationError(_("%(dish)s already has a sample.") % {"dish": dish.name})
        sample = Sample(
            organization=dish.organization,
            meal=meal,
            dish=dish,
            weight_g=weight_g,
            fridge=fridge,
            label=label.strip() or f"{meal.day:%m-%d} {meal.get_kind_display()} {dish.name}",
            taken_at=taken_at,
            taken_by=actor,
        )
        store_photo(sample, photo, "samples")
        sample.save()
        audit.record(
            actor=actor,
            action="food.sample",
            obj=sample,
            organization=dish.organization,
            after={"dish": dish.name, "weight_g": str(weight_g), "taken_at": taken_at.isoformat()},
        )
        check_sample(sample)
    return sample


def due_at(sample: Sample, keep_hours: Decimal) -> dt.datetime:
    return sample.taken_at + dt.timedelta(hours=float(keep_hours))


def _check_disposal(sample: Sample, actor, ctx: dict[str, Any]) -> None:
    when = ctx.get("disposed_at")
    if when is None:
        raise ValidationError(_("Give the time of the disposal."))
    if when < sample.taken_at:
        raise ValidationError(_("The disposal cannot be before the sample was put in."))
    check_past(_("The disposal time"), when)


def _stamp_disposal(sample: Sample, actor, ctx: dict[str, Any]) -> None:
    sample.disposed_at = ctx["disposed_at"]
    sample.disposed_by = actor


def _then_check(sample: Sample, actor, ctx: dict[str, Any]) -> None:
    from .sweeps import check_sample

    check_sample(sample)


SAMPLE_FLOW: Workflow[Sample] = Workflow(
    Sample,
    [
        Transition(
            SampleStatus.KEPT,
            "dispose",
            SampleStatus.DISPOSED,
            who="food.record",
            guard=_check_disposal,
            effects=[_stamp_disposal],
            then=[_then_check],
            label=gettext_lazy("Dispose of"),
        ),
    ],
    audit_prefix="food.sample_",
    audited=("disposed_at",),
    select_related=("organization",),
)


def dispose_sample(*, actor, sample: Sample, disposed_at: dt.datetime | None = None) -> Sample:
    """Record the disposal (who, when). Before the rule's hours it is recorded too (it happened)
    and a hazard is opened."""
    require(actor, "food.record", sample.organization)
    return SAMPLE_FLOW.move(sample, "dispose", actor=actor, disposed_at=disposed_at or timezone.now())


# --- disinfection and temperatures ---------------------------------------------------------------


def record_disinfection(
    *,
    actor,
    meal: Meal,
    method: str,
    items: str,
    minutes: int,
    done_at: dt.datetime,
    temperature_c: Decimal | None = None,
    note: str = "",
) -> Disinfection:
    require(actor, "food.record", meal.organization)
    items = (items or "").strip()
    if not items:
        raise ValidationError(_("Say which tableware was disinfected."))
    check_texts(Disinfection, items=items, note=note)
    check_number(_("Minutes"), Decimal(minutes), Decimal(1), Decimal(600))
    check_number(_("Temperature (°C)"), temperature_c, Decimal(0), Decimal(150))
    check_past(_("The disinfection time"), done_at)
    with transaction.atomic():
        row = Disinfection.objects.create(
            organization=meal.organization,
            kitchen_id=meal.kitchen_id,
            meal=meal,
            method=method,
            items=items,
            minutes=minutes,
            temperature_c=temperature_c,
            done_at=done_at,
            done_by=actor,
            note=note.strip(),
        )
        audit.record(
            actor=actor,
            action="food.disinfection",
            obj=row,
            organization=meal.organization,
            after=audit.snapshot(row, ("method", "items", "minutes", "temperature_c", "done_at")),
        )
    return row


def fridge_range(fridge: Fridge, rule_values: dict[str, Decimal]) -> tuple[Decimal | None, Decimal]:
    """(lowest, highest) allowed for the kind of refrigerator."""
    if fridge.kind == FridgeKind.FREEZER:
        return None, rule_values[RuleKey.FREEZER_MAX]
    return rule_values[RuleKey.FRIDGE_MIN], rule_values[RuleKey.FRIDGE_MAX]


def record_temperature(
    *, actor, fridge: Fridge, temperature_c: Decimal, measured_at: dt.datetime
) -> TemperatureLog:
    """A temperature read off the refrigerator's thermometer (twice a day where no sensor reports)."""
    require(actor, "food.record", fridge.organization)
    check_number(_("Temperature (°C)"), temperature_c, Decimal(-40), Decimal(40))
    check_past(_("The time of the reading"), measured_at)
    values = {k: r.value for k, r in rules.rules_for(fridge.organization).items()}
    low, high = fridge_range(fridge, values)
    in_range = temperature_c <= high and (low is None or temperature_c >= low)
    with transaction.atomic():
        row = TemperatureLog.objects.create(
            organization=fridge.organization,
            fridge=fridge,
            measured_at=measured_at,
            temperature_c=temperature_c,
            in_range=in_range,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action="food.temperature",
            obj=row,
            organization=fridge.organization,
            after={"fridge": fridge.name, "temperature_c": str(temperature_c), "in_range": in_range},
        )
    return row
