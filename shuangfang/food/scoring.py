"""Food safety as assessment indicators (考核), registered in the assessment registry
(``shuangfang.assessment.registry``; the assessment app imports nothing of food).

Four rates over a period [start, end) (``last``: its last day, or today while it runs), for every
kitchen of the institution, each from the food app's own records:

* **samples kept** (留样合格率): dishes of meals whose window ended by ``last`` that have a sample
  that was neither under the weight rule nor disposed of before the hours rule (the food app's
  timers flag those when the sample is recorded or disposed of) ÷ those dishes;
* **deliveries with a ticket** (索证索票): deliveries received in the period with the ticket photo
  ÷ deliveries received;
* **refrigerator temperatures logged** (冷藏冷冻温度记录): for refrigerators in use without a
  sensor (a sensor's readings are the monitoring app's), the morning (before 12:00) and afternoon
  slots of each day with at least one reading entered ÷ two slots a day per refrigerator, from the
  later of the period's start and the kitchen's set-up;
* **staff health certificates** (健康证): kitchen staff working there with a health certificate
  valid on ``last`` ÷ kitchen staff working there (read as they stand now).

Each can have nothing to measure (no meal served, no delivery, no refrigerator without a sensor,
no kitchen staff); the bureau's scheme says what that scores. Five grouped queries for any number of
institutions, only when a scheme weighs one of them.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat, ExtractHour, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.assessment import registry
from shuangfang.assessment.choices import RuleKind

from .choices import NOON
from .models import Dish, Fridge, HealthCertificate, KitchenStaff, Purchase, Sample, TemperatureLog

GROUP = "food"
SOURCE = "food"
INST = "kitchen__organization_id"


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _temperature_slots(out, put, ids, start: dt.date, last: dt.date, lo, hi) -> None:
    """Twice-a-day temperature slots due (refrigerators in use without a sensor, since their
    kitchen keeps records) and the slots with a reading entered, per institution."""
    # Refrigerators in use without a sensor, and since when their kitchen keeps records.
    fridges: dict[int, list[dt.date]] = {}
    for inst_id, created in (
        Fridge.objects.filter(kitchen__organization_id__in=ids, is_active=True, device__isnull=True)
        .values_list(INST, "kitchen__created_at")
        .order_by()
    ):
        fridges.setdefault(inst_id, []).append(max(start, timezone.localdate(created)))
    for inst_id, firsts in fridges.items():
        out[inst_id]["food_slots"] = sum(2 * max((last - first).days + 1, 0) for first in firsts)
    tz = timezone.get_current_timezone()
    slot = Concat(
        Cast("fridge_id", output_field=CharField()),
        Value("-"),
        Cast(TruncDate("measured_at", tzinfo=tz), output_field=CharField()),
        Value("-"),
        Case(When(hour__lt=NOON, then=Value("a")), default=Value("p")),
        output_field=CharField(),
    )
    put(
        TemperatureLog.objects.filter(
            fridge__kitchen__organization_id__in=ids,
            fridge__is_active=True,
            fridge__device__isnull=True,
            measured_at__gte=lo,
            measured_at__lt=hi,
        )
        .annotate(hour=ExtractHour("measured_at", tzinfo=tz))
        .values("fridge__kitchen__organization_id")
        .annotate(food_slots_logged=Count(slot, distinct=True))
        .order_by(),
        key="fridge__kitchen__organization_id",
    )


def measure(institutions: list, start: dt.date, end: dt.date, today: dt.date) -> dict[int, dict[str, int]]:
    ids = [i.pk for i in institutions]
    out: dict[int, dict[str, int]] = {
        k: dict.fromkeys(
            (
                "food_dishes",
                "food_samples_ok",
                "food_deliveries",
                "food_tickets",
                "food_slots",
                "food_slots_logged",
                "food_staff",
                "food_staff_certified",
            ),
            0,
        )
        for k in ids
    }
    last = min(end - dt.timedelta(days=1), today)
    if not ids or last < start:
        return out
    lo, hi = _start_of(start), _end_of(last)
    now = min(timezone.now(), hi)

    def put(rows, key=INST):
        for row in rows:
            k = row.pop(key)
            if k in out:
                out[k].update(row)

    good_sample = Sample.objects.filter(
        dish=OuterRef("pk"), flagged_weight_at__isnull=True, flagged_early_at__isnull=True
    )
    put(
        Dish.objects.filter(
            meal__kitchen__organization_id__in=ids,
            meal__day__gte=start,
            meal__day__lte=last,
            meal__ends_at__lte=now,
        )
        .annotate(ok=Exists(good_sample))
        .values("meal__kitchen__organization_id")
        .annotate(food_dishes=Count("pk"), food_samples_ok=Count("pk", filter=Q(ok=True)))
        .order_by(),
        key="meal__kitchen__organization_id",
    )
    put(
        Purchase.objects.filter(kitchen__organization_id__in=ids, delivered_at__gte=lo, delivered_at__lt=hi)
        .values(INST)
        .annotate(food_deliveries=Count("pk"), food_tickets=Count("pk", filter=~Q(original="")))
        .order_by()
    )
    _temperature_slots(out, put, ids, start, last, lo, hi)
    put(
        KitchenStaff.objects.filter(kitchen__organization_id__in=ids, is_active=True)
        .annotate(
            valid=Exists(
                HealthCertificate.objects.filter(
                    staff=OuterRef("pk"), issued_on__lte=last, valid_until__gte=last
                )
            )
        )
        .values(INST)
        .annotate(food_staff=Count("pk"), food_staff_certified=Count("pk", filter=Q(valid=True)))
        .order_by()
    )
    return out


def _samples(m):
    raw = {"ok": m.get("food_samples_ok", 0), "dishes": m.get("food_dishes", 0)}
    return raw, _("%(ok)s of %(dishes)s dishes sampled and kept by the rules") % raw, raw["ok"], raw["dishes"]


def _tickets(m):
    raw = {"tickets": m.get("food_tickets", 0), "deliveries": m.get("food_deliveries", 0)}
    text = _("%(tickets)s of %(deliveries)s deliveries with the ticket photo") % raw
    return raw, text, raw["tickets"], raw["deliveries"]


def _temperatures(m):
    raw = {"logged": m.get("food_slots_logged", 0), "slots": m.get("food_slots", 0)}
    raw["logged"] = min(raw["logged"], raw["slots"])
    text = _("%(logged)s of %(slots)s morning and afternoon readings entered") % raw
    return raw, text, raw["logged"], raw["slots"]


def _health(m):
    raw = {"certified": m.get("food_staff_certified", 0), "staff": m.get("food_staff", 0)}
    text = _("%(certified)s of %(staff)s kitchen staff with a valid health certificate") % raw
    return raw, text, raw["certified"], raw["staff"]


def _one_month(start: dt.date, last: dt.date) -> str:
    return (
        start.strftime("%Y-%m")
        if start.day == 1 and (start.year, start.month) == (last.year, last.month)
        else ""
    )


def _ledger(kind: str, **extra):
    def link(org, department: bool, start: dt.date, last: dt.date, today: dt.date) -> str:
        month = _one_month(start, last)
        if department or not month:
            return ""
        query = urlencode({"organization": org.pk, "month": month, **extra})
        return reverse(f"food:ledger_{kind}") + "?" + query

    return link


INDICATORS = [
    (
        "food_samples",
        gettext_lazy("Food samples kept by the rules"),
        _samples,
        gettext_lazy(
            "Dishes of meals served in the period with a sample neither under weight nor disposed of "
            "too early ÷ dishes served."
        ),
        gettext_lazy("no meal was served"),
        _ledger("samples"),
    ),
    (
        "food_tickets",
        gettext_lazy("Deliveries accepted with tickets"),
        _tickets,
        gettext_lazy("Deliveries received in the period with the ticket photo ÷ deliveries received."),
        gettext_lazy("no delivery was received"),
        _ledger("purchases"),
    ),
    (
        "food_temperatures",
        gettext_lazy("Refrigerator temperatures logged"),
        _temperatures,
        gettext_lazy(
            "Refrigerators without a sensor: morning and afternoon readings entered ÷ two a day each."
        ),
        gettext_lazy("no refrigerator without a sensor"),
        None,
    ),
    (
        "food_health",
        gettext_lazy("Kitchen staff with a valid health certificate"),
        _health,
        gettext_lazy(
            "Kitchen staff working now with a health certificate valid at the end of the period ÷ all."
        ),
        gettext_lazy("no kitchen staff"),
        None,
    ),
]


def register() -> None:
    registry.register_group(GROUP, gettext_lazy("Food safety"), 30)
    registry.register_source(registry.Source(SOURCE, measure))
    for n, (key, label, figures, counts, no_data, link) in enumerate(INDICATORS):
        registry.register_indicator(
            registry.IndicatorDef(
                key=key,
                label=label,
                group=GROUP,
                source=SOURCE,
                kind=RuleKind.RATE,
                figures=figures,
                counts=counts,
                no_data=no_data,
                link=link,
                order=n,
            )
        )
