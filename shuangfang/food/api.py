"""The kitchen over the API: the cook's day (meals, samples still to take, samples due for disposal)
and recording a sample and its disposal (a scale or a phone app may post them)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.utils import timezone
from ninja import Router, Schema, Status

from shuangfang.core.tenancy import get_for_user

from . import meals, rules
from .choices import RuleKey, SampleStatus
from .models import Dish, Kitchen, Meal, Sample

router = Router(tags=["food"])


class DishOut(Schema):
    uuid: UUID
    name: str
    sampled: bool


class MealOut(Schema):
    uuid: UUID
    day: date
    kind: str
    ends_at: datetime
    dishes: list[DishOut]


class SampleOut(Schema):
    uuid: UUID
    dish: str
    weight_g: Decimal
    taken_at: datetime
    keep_until: datetime
    status: str
    disposed_at: datetime | None


class DayOut(Schema):
    meals: list[MealOut]
    due_for_disposal: list[SampleOut]
    sample_min_weight_g: Decimal
    sample_keep_hours: Decimal


class SampleIn(Schema):
    weight_g: Decimal
    taken_at: datetime | None = None


class DisposeIn(Schema):
    disposed_at: datetime | None = None


def _sample(s: Sample, keep: Decimal) -> SampleOut:
    return SampleOut(
        uuid=s.uuid,
        dish=s.dish.name,
        weight_g=s.weight_g,
        taken_at=s.taken_at,
        keep_until=meals.due_at(s, keep),
        status=s.status,
        disposed_at=s.disposed_at,
    )


@router.get("/kitchens/{uuid}/today", response=DayOut, summary="The cook's day: meals, dishes, samples due")
def today(request, uuid: UUID):
    k = get_for_user(Kitchen.objects.select_related("organization"), request.auth, "food.view", uuid=uuid)
    values = {key: r.value for key, r in rules.rules_for(k.organization).items()}
    keep = values[RuleKey.SAMPLE_KEEP_HOURS]
    day_meals = meals.ensure_meals(k, timezone.localdate())
    extra = Meal.objects.filter(kitchen=k, day=timezone.localdate()).exclude(pk__in=[m.pk for m in day_meals])
    out = []
    for m in sorted([*day_meals, *extra], key=lambda m: m.ends_at):
        dishes = [
            DishOut(uuid=d.uuid, name=d.name, sampled=bool(d.samples.all()))
            for d in m.dishes.prefetch_related("samples")
        ]
        out.append(MealOut(uuid=m.uuid, day=m.day, kind=m.kind, ends_at=m.ends_at, dishes=dishes))
    now = timezone.now()
    kept = Sample.objects.filter(meal__kitchen=k, status=SampleStatus.KEPT).select_related("dish")
    due = [_sample(s, keep) for s in kept if meals.due_at(s, keep) <= now]
    return DayOut(
        meals=out,
        due_for_disposal=due,
        sample_min_weight_g=values[RuleKey.SAMPLE_MIN_WEIGHT],
        sample_keep_hours=keep,
    )


@router.post("/dishes/{uuid}/sample", response={201: SampleOut}, summary="Record the sample of a dish")
def record_sample(request, uuid: UUID, body: SampleIn):
    dish = get_for_user(Dish.objects.select_related("meal"), request.auth, "food.record", uuid=uuid)
    s = meals.record_sample(
        actor=request.auth, dish=dish, weight_g=body.weight_g, taken_at=body.taken_at or timezone.now()
    )
    return Status(201, _sample(s, rules.value(dish.organization, RuleKey.SAMPLE_KEEP_HOURS)))


@router.post("/samples/{uuid}/dispose", response=SampleOut, summary="Record the disposal of a sample")
def dispose(request, uuid: UUID, body: DisposeIn):
    s = get_for_user(Sample.objects.select_related("dish"), request.auth, "food.record", uuid=uuid)
    s = meals.dispose_sample(actor=request.auth, sample=s, disposed_at=body.disposed_at)
    return _sample(s, rules.value(s.organization, RuleKey.SAMPLE_KEEP_HOURS))
