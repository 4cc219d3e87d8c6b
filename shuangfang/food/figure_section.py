"""Food's section on the dashboards (registered in apps.py): the month's samples taken against
dishes due, missed meals and cold-chain alarms, per institution, in a fixed number of grouped
queries. Certificates expiring are not here: their window is each site's reminder rule
(``rules.value``, one lookup per institution); the kitchen page and the monthly report show them."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.dashboards.sections import Figure

from .ledgers import url_name
from .models import Dish, Fridge, Kitchen, Meal, Sample


def _grouped(qs, key: str) -> dict[int, int]:
    return {r[key]: r["n"] for r in qs.values(key).annotate(n=Count("pk")).order_by()}


def month_counts(ids: list[int], first: dt.date, last: dt.date) -> dict[str, dict[int, int]]:
    """Per institution id, from ``first`` to ``last``: samples taken, dishes due (meal window
    ended), meals missed, cold-chain alarms. Five queries."""
    from shuangfang.monitoring.models import Alarm

    meals = Meal.objects.filter(kitchen__organization_id__in=ids, day__gte=first, day__lte=last)
    devices = dict(
        Fridge.objects.filter(kitchen__organization_id__in=ids, device__isnull=False).values_list(
            "device_id", "kitchen__organization_id"
        )
    )
    per_device = _grouped(
        Alarm.objects.filter(device_id__in=devices, opened_at__date__gte=first, opened_at__date__lte=last),
        "device_id",
    )
    alarms: dict[int, int] = {}
    for device, n in per_device.items():
        alarms[devices[device]] = alarms.get(devices[device], 0) + n
    return {
        "taken": _grouped(
            Sample.objects.filter(organization_id__in=ids, meal__day__gte=first, meal__day__lte=last),
            "organization_id",
        ),
        "due": _grouped(
            Dish.objects.filter(meal__in=meals.filter(ends_at__lte=timezone.now())),
            "meal__kitchen__organization_id",
        ),
        "missed": _grouped(meals.filter(missed_at__isnull=False), "kitchen__organization_id"),
        "alarms": alarms,
    }


def figures(ids: list[int], today: dt.date) -> dict[int, list[Figure]]:
    first = today.replace(day=1)
    counts = month_counts(ids, first, today)
    kitchens = dict(Kitchen.objects.filter(organization_id__in=ids).values_list("organization_id", "uuid"))
    samples = reverse(f"food:{url_name('samples')}")
    alarms = reverse("monitoring:alarms")
    out = {}
    for i in ids:
        kitchen = (
            reverse("food:kitchen", kwargs={"uuid": kitchens[i]}) if i in kitchens else reverse("food:home")
        )
        bounds = {"organization": i, "day_from": first.isoformat(), "day_to": today.isoformat()}
        out[i] = [
            Figure(
                _("Samples taken / dishes due this month"),
                counts["taken"].get(i, 0),
                f"{samples}?{urlencode(bounds)}",
                whole=counts["due"].get(i, 0),
            ),
            Figure(
                _("Meals missed this month"), counts["missed"].get(i, 0), kitchen, counted=False, bad=True
            ),
            Figure(
                _("Cold-chain alarms this month"),
                counts["alarms"].get(i, 0),
                f"{alarms}?{urlencode({'organization': i})}",
                counted=False,
                bad=True,
            ),
        ]
    return out


def title() -> str:
    return _("Food safety")
